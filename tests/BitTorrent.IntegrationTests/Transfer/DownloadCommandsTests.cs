using BitTorrent.Peer.Downloads;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

public class DownloadCommandsTests
{
    private const long Length = 6L * 1024 * 1024;

    private static void Slow(Peer.Transfer.TransferEngineOptions options) => options.UploadRateLimit = 4 * 1024 * 1024;

    [Fact]
    public async Task Pause_holds_progress_and_resume_completes()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", Length, Slow);
        var leecher = kit.StartEngine("leecher");
        var target = kit.PathOf("leecher/files/data.bin");
        await leecher.StartDownloadAsync(torrent, target, EndPoints(seeder));
        await WaitForAsync(leecher, torrent.InfoHash, s => s.PiecesDone >= 1);

        var paused = await leecher.PauseAsync(torrent.InfoHash);
        Assert.Equal(DownloadState.Paused, paused.State);
        Assert.Equal(DownloadState.Paused, (await leecher.PauseAsync(torrent.InfoHash)).State); // idempotent
        await Task.Delay(300); // in-flight verifications may still land, nothing new starts
        var settled = leecher.GetDownload(torrent.InfoHash)!;
        await Task.Delay(500);
        Assert.Equal(settled.BytesDone, leecher.GetDownload(torrent.InfoHash)!.BytesDone);
        Assert.Equal(0, leecher.GetDownload(torrent.InfoHash)!.BytesPerSecond);

        await leecher.ResumeAsync(torrent.InfoHash);
        await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(30));
        Assert.Equal(Sha256(source), Sha256(target));
    }

    [Fact]
    public async Task Cancel_removes_the_partial_file_and_retry_starts_over()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", Length, Slow);
        var leecher = kit.StartEngine("leecher");
        var target = kit.PathOf("leecher/files/data.bin");
        await leecher.StartDownloadAsync(torrent, target, EndPoints(seeder));
        await WaitForAsync(leecher, torrent.InfoHash, s => s.PiecesDone >= 1);

        var cancelled = await leecher.CancelAsync(torrent.InfoHash);

        Assert.Equal(DownloadState.Cancelled, cancelled.State);
        Assert.Equal(0, cancelled.BytesDone);
        Assert.False(File.Exists(target));
        // The state file is deleted by the state store's worker, not on the engine thread: wait for it.
        var stateFile = kit.PathOf($"leecher/state/{torrent.InfoHash}.json");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (File.Exists(stateFile) && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.False(File.Exists(stateFile));
        await Task.Delay(300);
        Assert.False(File.Exists(target)); // late piece writes do not bring it back
        await Assert.ThrowsAsync<InvalidOperationException>(() => leecher.ResumeAsync(torrent.InfoHash));

        await leecher.RetryAsync(torrent.InfoHash);
        await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(30));
        Assert.Equal(Sha256(source), Sha256(target));
    }

    [Fact]
    public async Task Without_peers_a_download_waits_fails_when_told_no_peers_can_appear_and_retry_completes()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 3L * TorrentMetainfo.MinPieceLength);
        var leecher = kit.StartEngine("leecher");
        var target = kit.PathOf("leecher/files/data.bin");

        await leecher.StartDownloadAsync(torrent, target);
        await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.WaitingForPeers);
        await Task.Delay(300);
        Assert.Equal(DownloadState.WaitingForPeers, leecher.GetDownload(torrent.InfoHash)!.State); // waiting is not failing

        await leecher.DeclareNoMorePeersAsync(torrent.InfoHash);
        var failed = await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Failed);
        Assert.Contains("no peer", failed.Error);
        await Assert.ThrowsAsync<InvalidOperationException>(() => leecher.ResumeAsync(torrent.InfoHash));
        await Assert.ThrowsAsync<InvalidOperationException>(() => leecher.PauseAsync(torrent.InfoHash));

        await leecher.AddPeersAsync(torrent.InfoHash, EndPoints(seeder));
        var retried = await leecher.RetryAsync(torrent.InfoHash);
        Assert.Null(retried.Error);
        await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed);
        Assert.Equal(Sha256(source), Sha256(target));

        await Assert.ThrowsAsync<InvalidOperationException>(() => leecher.CancelAsync(torrent.InfoHash));
        await Assert.ThrowsAsync<InvalidOperationException>(() => leecher.PauseAsync(torrent.InfoHash));
        await Assert.ThrowsAsync<InvalidOperationException>(() => leecher.RetryAsync(torrent.InfoHash));
        Assert.Equal(DownloadState.Completed, (await leecher.ResumeAsync(torrent.InfoHash).ContinueWith(t => leecher.GetDownload(torrent.InfoHash)!)).State);
    }

    [Fact]
    public async Task Commands_for_unknown_torrents_say_so()
    {
        await using var kit = new TransferTestKit();
        var engine = kit.StartEngine("engine");

        await Assert.ThrowsAsync<KeyNotFoundException>(() => engine.PauseAsync(Id160.Hash("nothing")));
        Assert.Null(engine.GetDownload(Id160.Hash("nothing")));
    }

    [Fact]
    public async Task Pause_and_cancel_work_while_waiting_for_peers()
    {
        await using var kit = new TransferTestKit();
        var (_, torrent, _) = await kit.StartSeederAsync("seeder", 1000);
        var leecher = kit.StartEngine("leecher");
        var target = kit.PathOf("leecher/files/data.bin");
        await leecher.StartDownloadAsync(torrent, target);
        await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.WaitingForPeers);

        Assert.Equal(DownloadState.Paused, (await leecher.PauseAsync(torrent.InfoHash)).State);
        Assert.Equal(DownloadState.Cancelled, (await leecher.CancelAsync(torrent.InfoHash)).State);
        Assert.Equal(DownloadState.Cancelled, (await leecher.CancelAsync(torrent.InfoHash)).State);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task A_removed_torrent_is_no_longer_served_and_seeding_checks_the_file_length()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 100_000);
        await seeder.SeedAsync(torrent, source); // idempotent
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            kit.StartEngine("other").SeedAsync(torrent, kit.WriteRandomFile("other/short.bin", 99_999)));

        await seeder.RemoveAsync(torrent.InfoHash);
        var leecher = kit.StartEngine("leecher");
        await leecher.StartDownloadAsync(torrent, kit.PathOf("leecher/files/data.bin"), EndPoints(seeder));
        await Task.Delay(500);

        var snapshot = leecher.GetDownload(torrent.InfoHash)!;
        Assert.Equal(DownloadState.WaitingForPeers, snapshot.State);
        Assert.Equal(0, snapshot.ConnectedPeers);
        Assert.True(File.Exists(source)); // removing never deletes the data
    }
}
