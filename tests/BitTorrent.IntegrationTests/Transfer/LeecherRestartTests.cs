using BitTorrent.Peer.Downloads;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

public class LeecherRestartTests
{
    [Fact]
    public async Task A_restarted_leecher_resumes_without_refetching_verified_pieces()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 8L * 1024 * 1024, o => o.UploadRateLimit = 4 * 1024 * 1024);
        var target = kit.PathOf("leecher/files/data.bin");
        var leecher = kit.StartEngine("leecher");
        await leecher.StartDownloadAsync(torrent, target, EndPoints(seeder));
        await WaitForAsync(leecher, torrent.InfoHash, s => s.PiecesDone >= 8);
        await kit.StopAsync(leecher);

        var restarted = kit.StartEngine("leecher");
        var resumed = await restarted.StartDownloadAsync(torrent, target, EndPoints(seeder));
        var done = await WaitForStateAsync(restarted, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(30));

        Assert.InRange(resumed.PiecesDone, 8, torrent.PieceCount - 1);
        Assert.Equal(torrent.Length - resumed.BytesDone, done.BytesReceived);
        Assert.Equal(Sha256(source), Sha256(target));
    }

    [Fact]
    public async Task Saved_downloads_are_restored_after_a_restart_in_their_state()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 8L * 1024 * 1024, o => o.UploadRateLimit = 4 * 1024 * 1024);
        var target = kit.PathOf("leecher/files/data.bin");
        var leecher = kit.StartEngine("leecher");
        await leecher.StartDownloadAsync(torrent, target, EndPoints(seeder));
        await WaitForAsync(leecher, torrent.InfoHash, s => s.PiecesDone >= 2);
        var paused = await leecher.PauseAsync(torrent.InfoHash);
        await kit.StopAsync(leecher);

        var restarted = kit.StartEngine("leecher");
        var restored = Assert.Single(await restarted.RestoreDownloadsAsync());
        Assert.Equal(DownloadState.Paused, restored.State);
        Assert.True(restored.PiecesDone >= paused.PiecesDone);

        await restarted.AddPeersAsync(torrent.InfoHash, EndPoints(seeder));
        await restarted.ResumeAsync(torrent.InfoHash);
        await WaitForStateAsync(restarted, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(30));
        Assert.Equal(Sha256(source), Sha256(target));
    }
}
