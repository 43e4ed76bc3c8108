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
        using var store = new DownloadStateStore(folder.Path);
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
        using var store = new DownloadStateStore(folder.Path);
        var infoHash = Id160.Hash("broken");
        File.WriteAllText(Path.Combine(folder.Path, $"{infoHash}.json"), "{ not json");

        Assert.Null(store.TryLoad(infoHash));
        Assert.Empty(store.LoadAll());

        store.Delete(infoHash);
        store.Flush(); // saves and deletes are done by the store's worker
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_state_change_is_on_disk_at_once_and_an_older_queued_save_never_lands_over_it()
    {
        using var folder = new TempFolder();
        using var store = new DownloadStateStore(folder.Path);
        var infoHash = Id160.Hash("moves");
        DownloadRecord In(DownloadState state) => new(infoHash, "/data/f", state, null, [0], [1], DateTimeOffset.UnixEpoch, null);

        store.Save(In(DownloadState.Downloading)); // queued for the worker
        store.SaveNow(In(DownloadState.Paused));   // written before this returns

        Assert.Contains("\"Paused\"", File.ReadAllText(Path.Combine(folder.Path, $"{infoHash}.json")));
        store.Flush();
        Assert.Equal(DownloadState.Paused, store.TryLoad(infoHash)!.State);
        Assert.Equal([$"{infoHash}.json"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_bitfield_of_the_wrong_size_is_not_trusted()
    {
        var record = new DownloadRecord(Id160.Zero, "/x", DownloadState.Downloading, null, [0xFF], [], DateTimeOffset.UnixEpoch, null);

        Assert.Null(DownloadStateStore.VerifiedOf(record, 20));
    }
}
