using BitTorrent.Peer.Downloads;
using BitTorrent.Shared.Torrents;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

public class SeedToLeecherTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(TorrentMetainfo.MinPieceLength + 1L)]
    [InlineData(50L * 1024 * 1024)]
    public async Task Leecher_gets_a_byte_identical_copy(long length)
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", length);
        var leecher = kit.StartEngine("leecher");
        var target = kit.PathOf("leecher/files/data.bin");

        await leecher.StartDownloadAsync(torrent, target, EndPoints(seeder));
        var done = await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(30));

        Assert.Equal(Sha256(source), Sha256(target));
        Assert.Equal(length, done.BytesDone);
        Assert.Equal(torrent.PieceCount, done.PiecesDone);
        Assert.Equal(0, done.CorruptPieces);
        Assert.Null(done.Error);
    }

    [Fact]
    public async Task A_finished_leecher_seeds_to_the_next_one()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 3L * TorrentMetainfo.MinPieceLength + 17);
        var first = kit.StartEngine("first");
        await first.StartDownloadAsync(torrent, kit.PathOf("first/files/data.bin"), EndPoints(seeder));
        await WaitForStateAsync(first, torrent.InfoHash, DownloadState.Completed);
        await kit.StopAsync(seeder);

        var second = kit.StartEngine("second");
        var target = kit.PathOf("second/files/data.bin");
        await second.StartDownloadAsync(torrent, target, EndPoints(first));
        await WaitForStateAsync(second, torrent.InfoHash, DownloadState.Completed);

        Assert.Equal(Sha256(source), Sha256(target));
    }
}
