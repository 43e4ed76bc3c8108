using System.Globalization;
using System.Net;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Torrents;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Peers;

public sealed class CorruptSeederOnTheRingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_peer_seeding_corrupt_data_is_detected_and_dropped_and_the_file_still_arrives_whole_from_an_honest_one()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var source = folder.RandomFile("data.bin", 3L * 1024 * 1024 + 5, seed: 41);
        var torrent = TorrentMetainfo.CreateFromFile(source, ring.Nodes[0].Url + "/announce", "data.bin");
        var infoHash = torrent.InfoHash.ToString();

        // The evil peer's Storage holds the torrent and, under its name, other bytes of the same length:
        // on start it seeds them as if they were the file (and publishes the torrent to the DHT).
        var evilStorage = folder.Sub("evil");
        Directory.CreateDirectory(Path.Combine(evilStorage, "files", infoHash));
        Directory.CreateDirectory(Path.Combine(evilStorage, "torrents"));
        Directory.CreateDirectory(Path.Combine(evilStorage, "state"));
        File.Copy(folder.RandomFile("garbage.bin", torrent.Length, seed: 42), Path.Combine(evilStorage, "files", infoHash, "data.bin"));
        await File.WriteAllBytesAsync(Path.Combine(evilStorage, "torrents", infoHash + ".torrent"), torrent.ToBytes());
        await File.WriteAllTextAsync(Path.Combine(evilStorage, "state", "library.json"),
            $"[{{\"infoHash\":\"{infoHash}\",\"name\":\"data.bin\",\"length\":{torrent.Length.ToString(CultureInfo.InvariantCulture)},\"origin\":0,\"addedAt\":\"2026-01-01T00:00:00+00:00\"}}]");
        await using var evil = await PeerProcess.StartAsync(ring, evilStorage);

        // The leecher finds only the evil seeder: every piece fails its SHA-1 check, the seeder is dropped.
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        using (var start = await leecher.StartDownloadAsync(infoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await Eventually.TrueAsync(async () =>
        {
            var download = await leecher.DownloadAsync(infoHash);
            return download.CorruptPieces >= 1 && download.PeerCount == 0 && download.PiecesDone == 0;
        }, TimeSpan.FromSeconds(30), "the corrupt seeder was not detected and dropped");

        // An honest seeder of the same content appears; the leecher finds it through the tracker and completes.
        await using var honest = await PeerProcess.StartAsync(ring, folder.Sub("honest"));
        Assert.Equal(infoHash, (await honest.PublishAsync(source)).InfoHash);
        var done = await leecher.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(TempFolder.Sha256(source), await leecher.ContentSha256Async(infoHash));
        Assert.True(done.CorruptPieces >= 1);
        Assert.Equal(1, done.PeerCount); // the evil seeder is not dialled again although the tracker still lists it
    }
}
