using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Identifiers;
using BitTorrent.UnitTests.TestDoubles;

namespace BitTorrent.UnitTests.Peer;

public sealed class PeerStatusSamplerTests
{
    private static DownloadSnapshot Download(string name, DownloadState state, double bytesPerSecond) =>
        new(Id160.Hash(name), name, "/tmp/" + name, state, 0, 100, 0, 1, bytesPerSecond, 0, null, 0, 0, DateTimeOffset.UnixEpoch, null);

    [Fact]
    public void Counts_running_downloads_sums_their_rates_and_measures_uploads_between_samples()
    {
        var time = new ManualTimeProvider();
        var sampler = new PeerStatusSampler(time);
        IReadOnlyList<DownloadSnapshot> downloads =
        [
            Download("a", DownloadState.Downloading, 1_000_000),
            Download("b", DownloadState.WaitingForPeers, 0),
            Download("c", DownloadState.Paused, 0),
            Download("d", DownloadState.Completed, 0),
            Download("e", DownloadState.Downloading, 500_000),
        ];

        var first = sampler.Sample(downloads, bytesServed: 10_000_000, filesShared: 4, refreshSeconds: 20);
        time.Advance(TimeSpan.FromSeconds(4));
        var second = sampler.Sample(downloads, bytesServed: 18_000_000, filesShared: 4, refreshSeconds: 20);

        Assert.Equal((3, 1_500_000L, 0L, 4, 20), (first.ActiveDownloads, first.DownloadBytesPerSecond, first.UploadBytesPerSecond, first.FilesShared, first.RefreshSeconds));
        Assert.Equal(2_000_000, second.UploadBytesPerSecond);
        Assert.Empty(second.Validate());
    }
}
