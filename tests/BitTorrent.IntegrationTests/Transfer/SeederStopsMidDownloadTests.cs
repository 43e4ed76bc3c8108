using BitTorrent.Peer.Downloads;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

public class SeederStopsMidDownloadTests
{
    [Fact]
    public async Task Three_seeders_one_stopped_mid_download_and_the_leecher_still_completes()
    {
        await using var kit = new TransferTestKit();
        // Upload limits make "mid-download" a matter of seconds, not of luck.
        static void Throttle(Peer.Transfer.TransferEngineOptions o) => o.UploadRateLimit = 1024 * 1024;
        var (first, torrent, source) = await kit.StartSeederAsync("s1", 6L * 1024 * 1024, Throttle);
        var second = kit.StartEngine("s2", Throttle);
        var third = kit.StartEngine("s3", Throttle);
        await second.SeedAsync(torrent, source);
        await third.SeedAsync(torrent, source);
        var leecher = kit.StartEngine("leecher");
        var target = kit.PathOf("leecher/files/data.bin");

        await leecher.StartDownloadAsync(torrent, target, EndPoints(first, second, third));
        var atStop = await WaitForAsync(leecher, torrent.InfoHash, s => s.PiecesDone >= 2 && s.ConnectedPeers == 3);
        await kit.StopAsync(first);
        var done = await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(30));

        Assert.True(atStop.PiecesDone < torrent.PieceCount, "the seeder was stopped after the download ended");
        Assert.Equal(Sha256(source), Sha256(target));
        Assert.True(done.ConnectedPeers == 2, $"connected peers: {done.ConnectedPeers}");
    }
}
