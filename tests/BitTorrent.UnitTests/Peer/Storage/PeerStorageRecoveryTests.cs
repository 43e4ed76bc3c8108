using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.Peer.Storage;

public class PeerStorageRecoveryTests
{
    private static PeerStorage Open(TempFolder folder) => new(Options.Create(new PeerOptions { StoragePath = folder.Path }));

    [Theory]
    [InlineData(0)] // empty: a crash right after creating the file
    [InlineData(40)] // cut in the middle of an item
    public void A_truncated_library_is_kept_aside_never_overwritten_and_the_library_starts_empty(int keep)
    {
        using var folder = new TempFolder();
        var first = Open(folder);
        first.Add(new LibraryItem(Id160.Hash("a"), "a.bin", 10, LibraryOrigin.Published, DateTimeOffset.UnixEpoch));
        first.Add(new LibraryItem(Id160.Hash("b"), "b.bin", 20, LibraryOrigin.Downloaded, DateTimeOffset.UnixEpoch));
        var libraryPath = Path.Combine(first.StateFolder, "library.json");
        var whole = File.ReadAllBytes(libraryPath);
        File.WriteAllBytes(libraryPath, whole[..keep]);

        var restarted = Open(folder);
        Assert.Empty(restarted.Library());
        var keptAs = restarted.DamagedLibraryKeptAs;

        Assert.NotNull(keptAs);
        Assert.StartsWith(libraryPath + ".corrupt-", keptAs, StringComparison.Ordinal);
        Assert.Equal(whole[..keep], File.ReadAllBytes(keptAs));
        restarted.Add(new LibraryItem(Id160.Hash("c"), "c.bin", 30, LibraryOrigin.Published, DateTimeOffset.UnixEpoch));
        Assert.Equal(whole[..keep], File.ReadAllBytes(keptAs));
        Assert.Single(Open(folder).Library());
    }

    [Fact]
    public void A_sound_library_is_not_reported_damaged()
    {
        using var folder = new TempFolder();
        Open(folder).Add(new LibraryItem(Id160.Hash("a"), "a.bin", 10, LibraryOrigin.Published, DateTimeOffset.UnixEpoch));
        var restarted = Open(folder);
        Assert.Null(restarted.DamagedLibraryKeptAs);
        Assert.Single(restarted.Library());
    }

    [Fact]
    public void A_kept_torrent_is_trusted_only_when_it_parses_and_matches_its_name()
    {
        using var folder = new TempFolder();
        var storage = Open(folder);
        var source = folder.WriteRandom("content.bin", 300_000);
        var torrent = TorrentMetainfo.CreateFromFile(source, "http://127.0.0.1/announce");
        var other = TorrentMetainfo.CreateFromFile(folder.WriteRandom("other.bin", 1000, seed: 2), "http://127.0.0.1/announce");

        Assert.True(storage.SaveTorrent(torrent.InfoHash, torrent.Encoded));
        Assert.Equal(torrent.InfoHash, storage.LoadTorrent(torrent.InfoHash)?.InfoHash);

        File.WriteAllBytes(storage.TorrentPath(torrent.InfoHash), torrent.Encoded[..(torrent.Encoded.Length / 2)].ToArray()); // torn
        Assert.Null(storage.LoadTorrent(torrent.InfoHash));

        File.WriteAllBytes(storage.TorrentPath(torrent.InfoHash), other.Encoded.ToArray()); // another file's torrent under this name
        Assert.Null(storage.LoadTorrent(torrent.InfoHash));

        Assert.False(storage.SaveTorrent(torrent.InfoHash, other.Encoded)); // never kept under the wrong name
        Assert.False(storage.SaveTorrent(torrent.InfoHash, "d4:junk"u8));
    }
}
