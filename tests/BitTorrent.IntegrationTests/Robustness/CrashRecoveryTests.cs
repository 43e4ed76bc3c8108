using System.Net;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Torrents;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Robustness;

/// <summary>
/// A peer killed at a bad moment, or whose files were damaged while it was stopped, loses nothing it
/// can prove and serves nothing it cannot: each scenario ends with a file moving whole between two peers.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_truncated_library_is_kept_aside_and_rebuilt_from_the_files_that_still_match_their_torrents()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"));
        await using var downloader = await PeerProcess.StartAsync(ring, folder.Sub("downloader"));
        var good = folder.RandomFile("good.bin", 600_000, seed: 11);
        var tampered = folder.RandomFile("tampered.bin", 600_000, seed: 12);
        var goodHash = (await publisher.PublishAsync(good)).InfoHash;
        var tamperedHash = (await publisher.PublishAsync(tampered)).InfoHash;
        var library = Path.Combine(publisher.Storage, "state", "library.json");
        byte[] truncated = [];

        await publisher.RestartAsync(ring, () =>
        {
            truncated = File.ReadAllBytes(library)[..40];
            File.WriteAllBytes(library, truncated);
            FlipByte(Path.Combine(publisher.Storage, "files", tamperedHash, "tampered.bin"), 300_000);
        });

        var files = await publisher.Http.GetStringAsync("api/files");
        Assert.Contains(goodHash, files, StringComparison.Ordinal);
        Assert.DoesNotContain(tamperedHash, files, StringComparison.Ordinal); // changed on disk: not served
        var keptAside = Assert.Single(Directory.GetFiles(Path.Combine(publisher.Storage, "state"), "library.json.corrupt-*"));
        Assert.Equal(truncated, await File.ReadAllBytesAsync(keptAside));
        Assert.Contains(goodHash, await File.ReadAllTextAsync(library), StringComparison.Ordinal); // the rebuilt library is saved

        using (var start = await downloader.StartDownloadAsync(goodHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await downloader.WaitForStateAsync(goodHash, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(TempFolder.Sha256(good), await downloader.ContentSha256Async(goodHash));
    }

    [Fact]
    public async Task A_torn_torrent_copy_is_fetched_again_from_the_tracker_and_its_file_is_seeded_again()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"));
        await using var downloader = await PeerProcess.StartAsync(ring, folder.Sub("downloader"));
        var source = folder.RandomFile("torn.bin", 700_000, seed: 21);
        var infoHash = (await publisher.PublishAsync(source)).InfoHash;
        var torrentPath = Path.Combine(publisher.Storage, "torrents", infoHash + ".torrent");

        await publisher.RestartAsync(ring, () => File.WriteAllBytes(torrentPath, File.ReadAllBytes(torrentPath)[..30]));

        await Eventually.TrueAsync(() => Task.FromResult(
                TorrentMetainfo.TryParse(File.ReadAllBytes(torrentPath), TorrentMetainfo.MaxAcceptedPieceLength, out var torrent, out _)
                && torrent.InfoHash.ToString() == infoHash),
            TimeSpan.FromSeconds(30), "the torn torrent was not fetched again");
        using (var start = await downloader.StartDownloadAsync(infoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await downloader.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(TempFolder.Sha256(source), await downloader.ContentSha256Async(infoHash));
    }

    [Fact]
    public async Task A_torrent_copy_torn_while_the_peer_runs_is_fetched_again_when_the_files_details_are_asked_for()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"));
        var source = folder.RandomFile("details.bin", 300_000, seed: 22);
        var infoHash = (await publisher.PublishAsync(source)).InfoHash;
        var torrentPath = Path.Combine(publisher.Storage, "torrents", infoHash + ".torrent");
        File.WriteAllBytes(torrentPath, File.ReadAllBytes(torrentPath)[..30]);

        using var details = JsonDocument.Parse(await publisher.Http.GetStringAsync($"api/files/{infoHash}"));
        Assert.Equal("details.bin", details.RootElement.GetProperty("name").GetString());
        Assert.True(TorrentMetainfo.TryParse(await File.ReadAllBytesAsync(torrentPath), TorrentMetainfo.MaxAcceptedPieceLength, out var torrent, out _),
            "the torn copy was not replaced");
        Assert.Equal(infoHash, torrent!.InfoHash.ToString());
    }

    [Fact]
    public async Task A_leecher_killed_mid_download_rehashes_its_verified_pieces_and_refetches_one_changed_on_disk()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        // The publisher serves slowly enough (2 MiB/s for 16 MiB) that the leecher is killed halfway.
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"),
            new Dictionary<string, string> { ["Transfer__UploadRateLimit"] = (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        var source = folder.RandomFile("big.bin", 16L * 1024 * 1024, seed: 31);
        var infoHash = (await publisher.PublishAsync(source)).InfoHash;
        var torrent = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(Path.Combine(publisher.Storage, "torrents", infoHash + ".torrent")));
        var statePath = Path.Combine(leecher.Storage, "state", "downloads", infoHash + ".json");
        var target = Path.Combine(leecher.Storage, "files", infoHash, "big.bin");

        using (var start = await leecher.StartDownloadAsync(infoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await Eventually.TrueAsync(() => Task.FromResult(VerifiedPieces(statePath).Count >= 8),
            TimeSpan.FromSeconds(30), "the leecher saved no verified pieces");
        var changed = -1;

        await leecher.RestartAsync(ring, () =>
        {
            var verified = VerifiedPieces(statePath);
            Assert.True(verified.Count < torrent.PieceCount, "the download finished before it was killed");
            changed = verified[verified.Count / 2];
            FlipByte(target, torrent.Geometry.PieceOffset(changed) + 1234);
        });

        var done = await leecher.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(90));
        output.WriteLine($"changed piece {changed}; received {done.BytesReceived} bytes after the restart");
        Assert.Equal(TempFolder.Sha256(source), TempFolder.Sha256(target));
        Assert.Equal(TempFolder.Sha256(source), await leecher.ContentSha256Async(infoHash));
    }

    /// <summary>The pieces a download's state file marks verified (empty while it has none).</summary>
    private static List<int> VerifiedPieces(string statePath)
    {
        if (!File.Exists(statePath)) return [];
        try
        {
            using var state = JsonDocument.Parse(File.ReadAllBytes(statePath));
            var bits = state.RootElement.GetProperty("Verified").GetBytesFromBase64();
            return [.. Enumerable.Range(0, bits.Length * 8).Where(i => (bits[i >> 3] & (0x80 >> (i & 7))) != 0)];
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return []; // caught between writes: read again
        }
    }

    private static void FlipByte(string path, long offset)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var one = new byte[1];
        RandomAccess.Read(file, one, offset);
        one[0] ^= 0xFF;
        RandomAccess.Write(file, one, offset);
    }
}
