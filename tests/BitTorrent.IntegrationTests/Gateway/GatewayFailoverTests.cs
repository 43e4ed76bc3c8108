using System.Net;
using System.Net.Http.Json;
using BitTorrent.ChordNode.Api;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Gateway;

public sealed class GatewayFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_chord_node_that_served_the_last_request_costs_the_next_requests_nothing()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        await using var gateway = await GatewayProcess.StartAsync(ring);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url) };

        var before = await http.GetFromJsonAsync<RingView>("/api/tracker/ring", ChordRing.Json);
        Assert.Equal(3, before!.Size);
        var served = ring.Nodes.Single(n => n.Url == before.AnsweredBy);
        served.Kill();

        // Every request right after the kill succeeds: a GET that hits the dead node is retried on another.
        for (var i = 0; i < 30; i++)
        {
            using var response = await http.GetAsync("/api/tracker/files");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var ringResponse = await http.GetAsync("/api/tracker/ring");
            Assert.Equal(HttpStatusCode.OK, ringResponse.StatusCode);
            var view = await ringResponse.Content.ReadFromJsonAsync<RingView>(ChordRing.Json);
            Assert.NotEqual(served.Url, view!.AnsweredBy);
        }

        // And the dead node soon stops being a destination at all.
        await Eventually.TrueAsync(async () =>
        {
            var ready = await http.GetFromJsonAsync<GatewayReady>("/readyz");
            return ready!.ChordNodes.Count == 2 && !ready.ChordNodes.Contains(served.Url);
        }, TimeSpan.FromSeconds(20), "the gateway kept the dead node as a destination");
    }

    [Fact]
    public async Task Ring_rpc_is_never_reachable_and_an_unknown_peer_is_a_404_problem()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        await using var gateway = await GatewayProcess.StartAsync(ring);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url) };
        http.DefaultRequestHeaders.Add("X-Ring-Secret", ChordRing.Secret); // even with the secret

        foreach (var path in new[] { "/chord/state", "/chord/info", "/dht/keys" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        using var merge = await http.PostAsJsonAsync("/dht/merge", Array.Empty<object>());
        Assert.Equal(HttpStatusCode.NotFound, merge.StatusCode);

        using var unknown = await http.GetAsync("/peers/424242/api/me");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("424242", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var notANumber = await http.GetAsync("/peers/abc/api/me");
        Assert.Equal(HttpStatusCode.NotFound, notANumber.StatusCode);
    }

    [Fact]
    public async Task Swagger_ui_lists_the_gateway_and_chord_node_documents_and_the_landing_page_is_served()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        await using var gateway = await GatewayProcess.StartAsync(ring);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url) };

        var config = await http.GetStringAsync("/swagger/index.js");
        Assert.Contains("/openapi/chord-node.json", config, StringComparison.Ordinal);
        Assert.Contains("/openapi/peer.json", config, StringComparison.Ordinal);
        Assert.Contains("/openapi/v1.json", config, StringComparison.Ordinal);
        var chordDocument = await http.GetStringAsync("/openapi/chord-node.json");
        Assert.Contains("/api/tracker/files", chordDocument, StringComparison.Ordinal);
        Assert.DoesNotContain("/chord/", chordDocument, StringComparison.Ordinal);
        Assert.Contains("D&amp;D BitTorrent", await http.GetStringAsync("/"), StringComparison.Ordinal);
    }

    private sealed record GatewayReady(string Status, IReadOnlyList<string> ChordNodes);
}
