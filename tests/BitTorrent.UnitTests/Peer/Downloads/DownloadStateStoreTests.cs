using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class DownloadStateStoreTests
{
    [Fact]
    public void Saved_state_loads_back_with_its_verified_pieces()
    {
        using var folder = new TempFolder();
        var store = new DownloadStateStore(folder.Path);
        var verified = new Bitfield(10);
        verified.Set(1);
        verified.Set(9);
        var infoHash = Id160.Hash("torrent");
        var record = new DownloadRecord(infoHash, "/data/file.bin", DownloadState.Paused, null, verified.Bytes.ToArray(), [1, 2, 3], DateTimeOffset.UnixEpoch, null);

        store.Save(record);
        var loaded = store.TryLoad(infoHash)!;

        Assert.Equal(DownloadState.Paused, loaded.State);
        Assert.Equal("/data/file.bin", loaded.TargetPath);
        var bits = DownloadStateStore.VerifiedOf(loaded, 10)!;
        Assert.True(bits[1] && bits[9]);
        Assert.Equal(2, bits.SetCount);
        Assert.Single(store.LoadAll());
        Assert.Contains("\"Paused\"", File.ReadAllText(Path.Combine(folder.Path, $"{infoHash}.json")));
    }

    [Fact]
    public void A_damaged_state_file_is_ignored_and_a_deleted_one_is_gone()
    {
        using var folder = new TempFolder();
        var store = new DownloadStateStore(folder.Path);
        var infoHash = Id160.Hash("broken");
        File.WriteAllText(Path.Combine(folder.Path, $"{infoHash}.json"), "{ not json");

        Assert.Null(store.TryLoad(infoHash));
        Assert.Empty(store.LoadAll());

        store.Delete(infoHash);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_bitfield_of_the_wrong_size_is_not_trusted()
    {
        var record = new DownloadRecord(Id160.Zero, "/x", DownloadState.Downloading, null, [0xFF], [], DateTimeOffset.UnixEpoch, null);

        Assert.Null(DownloadStateStore.VerifiedOf(record, 20));
    }
}
