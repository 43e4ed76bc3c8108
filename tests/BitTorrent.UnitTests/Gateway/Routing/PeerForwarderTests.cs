using BitTorrent.Gateway.Routing;

namespace BitTorrent.UnitTests.Gateway.Routing;

public sealed class PeerForwarderTests
{
    [Theory]
    [InlineData("metrics", true)]
    [InlineData("metrics/", true)]
    [InlineData("/metrics", true)]
    [InlineData("//metrics//", true)]
    [InlineData("METRICS", true)]
    [InlineData("metrics/anything", true)]
    [InlineData("api/files", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("metricsx", false)]
    [InlineData("api/metrics", false)]
    public void A_peers_metrics_endpoint_is_recognised_however_its_path_is_written(string? rest, bool metrics) =>
        Assert.Equal(metrics, PeerForwarder.IsMetrics(rest));
}
