using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Identifiers;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Telemetry;

/// <summary>
/// Traces across processes: the gateway, three chord nodes (replication 3: every node holds every key) and a peer
/// export spans over OTLP/HTTP to a receiver of the test's own. A request sent with a W3C trace context of the
/// test's choosing must come back as spans of that one trace from every process it passed through.
/// </summary>
public sealed class TracePropagationTests(ITestOutputHelper output)
{
    /// <summary>
    /// With a ring that trusts the gateway the announce travels in a batch, whose request is no one client's: the
    /// gateway's span for the announce and the owner's span for it carry the trace across instead.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task One_announce_is_one_trace_from_the_gateway_to_the_swarms_owner_and_its_write_behind_flush_links_to_it(bool batched)
    {
        await using var receiver = new OtlpReceiver();
        await using var ring = new ChordRing(output, batched ? new Dictionary<string, string> { ["Tracker__TrustedProxies__0"] = "127.0.0.1" } : null);
        for (var i = 0; i < 3; i++)
        {
            var port = ServiceProcess.FreePort();
            await ring.WaitReadyAsync(ring.StartNode(receiver.Environment($"node-{port}"), port: port));
        }
        await ring.WaitConvergedAsync();
        await using var gateway = await GatewayProcess.StartAsync(ring, receiver.Environment("gateway"));
        await WaitForMembersAsync(gateway, 3);

        var trace = NewTraceId();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.Url + AnnouncePath(Id160.Hash("trace-me"), "-DD0001-000000000042", 7042));
        request.Headers.Add("traceparent", $"00-{trace}-{NewSpanId()}-01");
        using (var response = await http.SendAsync(request))
            Assert.Contains("interval", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        ReceivedSpan? gatewayClient = null, owner = null, flush = null;
        List<ReceivedSpan> replicaMerges = [];
        await Eventually.TrueAsync(() =>
        {
            var spans = receiver.Spans;
            gatewayClient = spans.FirstOrDefault(s => s.Label == "gateway" && s.TraceId == trace && s.Kind == ReceivedSpan.KindClient);
            owner = gatewayClient is null ? null
                : spans.FirstOrDefault(s => s.Label.StartsWith("node-", StringComparison.Ordinal) && s.Kind == ReceivedSpan.KindServer && s.ParentSpanId == gatewayClient.SpanId);
            flush = owner is null ? null
                : spans.FirstOrDefault(s => s.Label == owner.Label && s.Name == "write-behind flush" && s.Links.Contains((trace, owner.SpanId)));
            replicaMerges = flush is null ? []
                : [.. spans.Where(s => s.TraceId == flush.TraceId && s.Kind == ReceivedSpan.KindServer && s.Label != owner!.Label)];
            // The gateway's server span ends after its call to the owner, so it may come in a later export.
            var gatewayServer = spans.Any(s => s.Label == "gateway" && s.TraceId == trace && s.Kind == ReceivedSpan.KindServer);
            return Task.FromResult(gatewayServer && replicaMerges.Select(s => s.Label).Distinct().Count() == 2);
        }, TimeSpan.FromSeconds(30), "the announce's spans did not all arrive");

        foreach (var span in receiver.Spans.Where(s => s.TraceId == trace || s.TraceId == flush!.TraceId)) output.WriteLine(span.ToString());
        // The gateway's server span and its call to the owner share the client's trace id.
        Assert.Contains(receiver.Spans, s => s.Label == "gateway" && s.TraceId == trace && s.Kind == ReceivedSpan.KindServer);
        Assert.Equal(trace, owner!.TraceId);
        Assert.Equal("/announce", owner.Attribute("url.path"));
        // The flush carried the announce to both replicas later, in a trace of its own that links back to it.
        Assert.NotEqual(trace, flush!.TraceId);
        Assert.All(replicaMerges, s => Assert.Equal("/dht/merge", s.Attribute("url.path")));
    }

    [Fact]
    public async Task One_publish_is_one_trace_from_the_peer_through_the_ring_to_every_replica()
    {
        await using var receiver = new OtlpReceiver();
        await using var ring = new ChordRing(output);
        for (var i = 0; i < 3; i++)
        {
            var port = ServiceProcess.FreePort();
            await ring.WaitReadyAsync(ring.StartNode(receiver.Environment($"node-{port}"), port: port));
        }
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"), receiver.Environment("peer"));

        var trace = NewTraceId();
        var source = folder.RandomFile("traced.bin", 300_000, seed: 5);
        using var form = new MultipartFormDataContent { { new StreamContent(File.OpenRead(source)), "file", "traced.bin" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/files") { Content = form };
        request.Headers.Add("traceparent", $"00-{trace}-{NewSpanId()}-01");
        using (var response = await peer.Http.SendAsync(request)) response.EnsureSuccessStatusCode();

        var nodes = ring.Nodes.Select(n => $"node-{ChordRing.PortOf(n)}").ToHashSet();
        await Eventually.TrueAsync(() =>
        {
            var traced = receiver.Spans.Where(s => s.TraceId == trace).ToList();
            var labels = traced.Select(s => s.Label).ToHashSet();
            // Spans arrive in each service's export batches: wait until no span's parent is still missing but the root's.
            var spanIds = traced.Select(s => s.SpanId).ToHashSet();
            return Task.FromResult(nodes.IsSubsetOf(labels)
                && traced.Any(s => s.Label == "peer" && s.Kind == ReceivedSpan.KindServer && s.Attribute("url.path") == "/api/files")
                && traced.Count(s => !spanIds.Contains(s.ParentSpanId)) == 1);
        }, TimeSpan.FromSeconds(30), "the publish's spans did not arrive from the peer and every node, all in one tree");

        var spans = receiver.Spans.Where(s => s.TraceId == trace).ToList();
        foreach (var span in spans) output.WriteLine(span.ToString());
        // One trace: the peer's request, its calls to the tracker, the nodes' handling of them, and the replicas' merges
        // (synchronous replication of the torrent and the catalog), each span's parent a span of the same trace.
        Assert.Contains(spans, s => s.Label == "peer" && s.Kind == ReceivedSpan.KindServer && s.Attribute("url.path") == "/api/files");
        Assert.Contains(spans, s => s.Label == "peer" && s.Kind == ReceivedSpan.KindClient);
        Assert.Contains(spans, s => s.Kind == ReceivedSpan.KindServer && s.Attribute("url.path") == "/dht/merge");
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        var roots = spans.Where(s => !ids.Contains(s.ParentSpanId)).ToList();
        Assert.Single(roots); // the peer's server span, child of the test's own (unexported) parent
        Assert.Equal("peer", roots[0].Label);
    }

    internal static string AnnouncePath(Id160 infoHash, string peerId, int port)
    {
        Span<byte> bytes = stackalloc byte[Id160.ByteLength];
        infoHash.WriteBigEndian(bytes);
        var hash = string.Concat(bytes.ToArray().Select(b => $"%{b:x2}"));
        return $"/announce?info_hash={hash}&peer_id={peerId}&port={port}&uploaded=0&downloaded=0&left=0&compact=1";
    }

    private static string NewTraceId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    private static string NewSpanId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]);

    private sealed record GatewayReady(string Status, IReadOnlyList<string> ChordNodes);

    internal static async Task WaitForMembersAsync(ServiceProcess gateway, int members)
    {
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () =>
            (await http.GetFromJsonAsync<GatewayReady>($"{gateway.Url}/readyz"))!.ChordNodes.Count == members,
            TimeSpan.FromSeconds(20), "the gateway did not learn every member");
    }
}
