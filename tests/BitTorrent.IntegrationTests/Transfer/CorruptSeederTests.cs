using BitTorrent.Peer.Downloads;
using BitTorrent.Shared.Torrents;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

public class CorruptSeederTests
{
    [Fact]
    public async Task A_seeder_serving_corrupt_blocks_is_dropped_and_the_file_is_still_correct()
    {
        await using var kit = new TransferTestKit();
        var (honest, torrent, source) = await kit.StartSeederAsync("honest", 4L * TorrentMetainfo.MinPieceLength + 99);
        // The evil seeder announces every piece of the torrent but holds other bytes.
        var garbage = kit.WriteRandomFile("evil/files/data.bin", torrent.Length);
        var evil = kit.StartEngine("evil");
        await evil.SeedAsync(torrent, garbage);
        var leecher = kit.StartEngine("leecher");
        var target = kit.PathOf("leecher/files/data.bin");

        await leecher.StartDownloadAsync(torrent, target, EndPoints(evil));
        var detected = await WaitForAsync(leecher, torrent.InfoHash, s => s.CorruptPieces >= 1 && s.State == DownloadState.WaitingForPeers);
        await leecher.AddPeersAsync(torrent.InfoHash, EndPoints(honest, evil));
        var done = await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed);

        Assert.Equal(0, detected.PiecesDone);
        Assert.Equal(0, detected.ConnectedPeers);
        Assert.Equal(Sha256(source), Sha256(target));
        Assert.Equal(1, done.ConnectedPeers); // the evil seeder was not dialled again
    }
}
