using System.Net;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Identifiers;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Telemetry;

/// <summary>
/// /metrics on every service after a real download: a ring of three, the gateway and two peers; one peer publishes,
/// the other downloads, and an announce goes through the gateway. Each service answers in the Prometheus text format
/// with our meters present and moving. The names each service exported are kept in tests/chart/fixtures/metrics/
/// (the chart suite checks that every dashboard query names one of them); this test fails when that list is no
/// longer true, and <c>UPDATE_METRICS_FIXTURES=1</c> writes it anew.
/// </summary>
public sealed class MetricsEndpointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task After_a_download_every_service_serves_its_meters_in_the_prometheus_format_and_they_have_moved()
    {
        using var folder = new TempFolder();
        // Durable and trusting the gateway, as make run and the chart run the ring: the store's commits and the
        // gateway's batches of announces are measured too.
        await using var ring = new ChordRing(output, new Dictionary<string, string> { ["Tracker__TrustedProxies__0"] = "127.0.0.1" }, dataRoot: folder.Sub("ring"));
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        await using var gateway = await GatewayProcess.StartAsync(ring);
        await TracePropagationTests.WaitForMembersAsync(gateway, 3);
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"));
        await using var downloader = await PeerProcess.StartAsync(ring, folder.Sub("downloader"));

        var source = folder.RandomFile("metered.bin", 2 * 1024 * 1024 + 7, seed: 11);
        var published = await publisher.PublishAsync(source);
        using (var start = await downloader.StartDownloadAsync(published.InfoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await downloader.WaitForStateAsync(published.InfoHash, "completed", TimeSpan.FromSeconds(90));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var announcePath = TracePropagationTests.AnnouncePath(Id160.Hash("metered"), "-DD0001-000000000007", 7007);
        using (var announce = await http.GetAsync(gateway.Url + announcePath))
            Assert.Contains("interval", await announce.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (var scrape = await http.GetAsync(gateway.Url + "/scrape" + announcePath[announcePath.IndexOf('?', StringComparison.Ordinal)..announcePath.IndexOf('&', StringComparison.Ordinal)]))
            Assert.Contains("files", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The chord nodes: the announces of both peers and the test's were counted, and the ring's own meters are there.
        var nodes = new List<PrometheusText>();
        foreach (var node in ring.Nodes) nodes.Add(await ScrapeAsync(http, node.Url));
        Assert.True(nodes.Sum(n => n.Sum("bittorrent_tracker_announces_total")) >= 3, "announces were not counted");
        Assert.True(nodes.Sum(n => n.Sum("bittorrent_tracker_announces_total", ("bittorrent_announce_event", "started"))) >= 1, "no started announce");
        Assert.Equal(1, nodes.Sum(n => n.Sum("bittorrent_tracker_scrapes_total")));
        Assert.All(nodes, n => Assert.True(n.Sum("bittorrent_ring_keys") > 0, "a node reports no keys"));
        Assert.All(nodes, n => Assert.Equal(3, n.Sum("bittorrent_ring_members")));
        Assert.True(nodes.Sum(n => n.Sum("rpc_client_duration_seconds_count", ("rpc_method", "Merge"))) > 0, "no replication RPC was measured");
        Assert.True(nodes.Sum(n => n.Sum("rpc_client_duration_seconds_count", ("rpc_method", "GetState"))) > 0, "no stabilize RPC was measured");
        Assert.True(nodes.Sum(n => n.Sum("bittorrent_ring_store_commit_duration_seconds_count")) > 0, "the durable store's commits were not measured");
        Assert.True(nodes.Sum(n => n.Sum("bittorrent_tracker_swarms")) >= 2, "the two swarms are not counted");
        Assert.True(nodes.Sum(n => n.Sum("bittorrent_tracker_peers", ("bittorrent_peer_role", "seeder"))) >= 2, "the seeders are not counted");
        Assert.All(nodes, n => Assert.True(n.Has("http_server_request_duration_seconds_bucket") && n.Has("dotnet_gc_collections_total")));

        // The gateway: its own meters, and the announce measured by route.
        var gatewayMetrics = await ScrapeAsync(http, gateway.Url);
        Assert.Equal(3, gatewayMetrics.Sum("bittorrent_gateway_ring_members"));
        Assert.True(gatewayMetrics.Sum("http_server_request_duration_seconds_count", ("http_route", "/announce")) >= 1);
        Assert.True(gatewayMetrics.Sum("bittorrent_gateway_tracker_batch_size_count") >= 1, "no batch of announces was measured");

        // The peers.
        var publisherMetrics = await ScrapeAsync(http, publisher.Url);
        var downloaderMetrics = await ScrapeAsync(http, downloader.Url);
        Assert.True(publisherMetrics.Sum("http_server_request_duration_seconds_count", ("http_route", "api/files/")) >= 1);
        Assert.True(downloaderMetrics.Has("http_client_request_duration_seconds_bucket"), "the peer's tracker calls were not measured");
        Assert.True(downloaderMetrics.Sum("bittorrent_peer_received_bytes_total") >= new FileInfo(source).Length, "the downloader's bytes received were not counted");
        Assert.True(downloaderMetrics.Sum("bittorrent_peer_pieces_verified_total") >= 1, "the downloader's verified pieces were not counted");
        Assert.Equal(0, downloaderMetrics.Sum("bittorrent_peer_pieces_failed_total"));
        Assert.Equal(1, downloaderMetrics.Sum("bittorrent_peer_downloads", ("bittorrent_download_state", "completed")));
        Assert.True(publisherMetrics.Sum("bittorrent_peer_sent_bytes_total") >= new FileInfo(source).Length, "the publisher's bytes sent were not counted");
        Assert.True(publisherMetrics.Has("bittorrent_peer_connections"), "the publisher's connections are not reported");

        // A peer's metrics are not public: the gateway does not forward to them, however the path is written.
        var me = await publisher.MeAsync();
        foreach (var path in new[] { "metrics", "metrics/", "METRICS", "/metrics" })
        {
            using var response = await http.GetAsync($"{gateway.Url}/peers/{me.PeerId}/{path}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // Every series says which service it came from.
        Assert.All(nodes.SelectMany(n => n.Samples).Where(s => s.Name != "target_info"), s => Assert.Equal("chord-node", s.Labels["service_name"]));
        Assert.All(gatewayMetrics.Samples.Where(s => s.Name != "target_info"), s => Assert.Equal("gateway", s.Labels["service_name"]));
        Assert.All(publisherMetrics.Samples.Where(s => s.Name != "target_info"), s => Assert.Equal("peer", s.Labels["service_name"]));

        CheckFixture("chord-node", nodes.SelectMany(n => n.Names));
        CheckFixture("gateway", gatewayMetrics.Names);
        CheckFixture("peer", publisherMetrics.Names.Concat(downloaderMetrics.Names));
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url + "/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// The fixture of a service's exported names must hold: each name in it is exported now, and every name of our
    /// own meters exported now is in it (so a renamed or new meter updates the fixture and the dashboard with it).
    /// </summary>
    private void CheckFixture(string service, IEnumerable<string> exported)
    {
        var live = new SortedSet<string>(exported.Where(n => !Transient.Any(n.StartsWith)), StringComparer.Ordinal);
        var path = Path.Combine(ServiceProcess.RepositoryRoot(), "tests", "chart", "fixtures", "metrics", service + ".txt");
        if (Environment.GetEnvironmentVariable("UPDATE_METRICS_FIXTURES") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllLines(path, live);
            output.WriteLine($"wrote {live.Count} names to {path}");
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing: run this test with UPDATE_METRICS_FIXTURES=1");
        var fixture = File.ReadAllLines(path).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
        var gone = fixture.Where(n => !live.Contains(n)).ToList();
        var unlisted = live.Where(n => IsOurs(n) && !fixture.Contains(n)).ToList();
        Assert.True(gone.Count == 0 && unlisted.Count == 0,
            $"{service}: tests/chart/fixtures/metrics/{service}.txt is out of date (run this test with UPDATE_METRICS_FIXTURES=1 and check the dashboard): " +
            $"no longer exported: {string.Join(", ", gone)}; exported but not listed: {string.Join(", ", unlisted)}");
    }

    /// <summary>
    /// Series that appear only once something happens at an unpredictable moment (a pool evicts, a connection closes, a
    /// request meets a rate limiter's lease, a peer rejects a request): never listed.
    /// </summary>
    private static readonly string[] Transient =
    [
        "aspnetcore_memory_pool_evicted_bytes", "kestrel_connection_duration_seconds", "http_client_connection_duration_seconds",
        "aspnetcore_rate_limiting_", "bittorrent_peer_rejects_received",
    ];

    private static bool IsOurs(string name) => name.StartsWith("bittorrent_", StringComparison.Ordinal) || name.StartsWith("rpc_", StringComparison.Ordinal);
}
