using BitTorrent.Peer.Downloads;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

public class ServingWhileDownloadingTests
{
    [Fact]
    public async Task Verified_pieces_are_served_to_others_before_the_download_ends()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 6L * 1024 * 1024, o => o.UploadRateLimit = 2 * 1024 * 1024);
        var middle = kit.StartEngine("middle");
        await middle.StartDownloadAsync(torrent, kit.PathOf("middle/files/data.bin"), EndPoints(seeder));
        await WaitForAsync(middle, torrent.InfoHash, s => s.PiecesDone >= 4);

        // The last leecher knows only the middle one, which is still downloading.
        var last = kit.StartEngine("last");
        var target = kit.PathOf("last/files/data.bin");
        await last.StartDownloadAsync(torrent, target, EndPoints(middle));
        var fromMiddle = await WaitForAsync(last, torrent.InfoHash, s => s.PiecesDone >= 2);
        Assert.NotEqual(DownloadState.Completed, middle.GetDownload(torrent.InfoHash)!.State);
        Assert.True(middle.BytesServed > 0);

        await last.AddPeersAsync(torrent.InfoHash, EndPoints(seeder));
        await WaitForStateAsync(last, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(30));
        Assert.Equal(Sha256(source), Sha256(target));
        Assert.True(fromMiddle.PiecesDone < torrent.PieceCount);
    }
}
