using System.Globalization;
using System.Net;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Gateway;

/// <summary>Swagger UI's peer document (/openapi/peer.json) on a real ring, gateway and peer.</summary>
public sealed class PeerOpenApiDocumentTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_peer_document_asked_for_before_any_peer_exists_waits_for_one_and_stays_after_it_leaves()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var gateway = await GatewayProcess.StartAsync(ring, new Dictionary<string, string> { ["Gateway__PeerDocumentWait"] = "00:02:00" });
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url), Timeout = TimeSpan.FromMinutes(3) };

        var early = http.GetAsync("/openapi/peer.json"); // as Swagger UI right after the gateway started
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        var peerId = (await peer.MeAsync()).PeerId;

        using (var response = await early)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            AssertPeerDocument(await response.Content.ReadAsStringAsync(), peerId);
        }

        // The peer goes away: the document it served is still there for Swagger UI.
        peer.Kill();
        using var afterwards = await http.GetAsync("/openapi/peer.json");
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        AssertPeerDocument(await afterwards.Content.ReadAsStringAsync(), peerId);
    }

    [Fact]
    public async Task Without_any_peer_the_document_is_a_503_that_says_to_start_one()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        await using var gateway = await GatewayProcess.StartAsync(ring, new Dictionary<string, string> { ["Gateway__PeerDocumentWait"] = "00:00:01" });
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url) };

        using var response = await http.GetAsync("/openapi/peer.json");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("make peer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static void AssertPeerDocument(string json, long peerId)
    {
        using var document = JsonDocument.Parse(json);
        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/api/downloads", out _), "the peer's operations are listed");
        var server = document.RootElement.GetProperty("servers")[0];
        Assert.Equal("/peers/{peerId}", server.GetProperty("url").GetString());
        Assert.Equal(peerId.ToString(CultureInfo.InvariantCulture),
            server.GetProperty("variables").GetProperty("peerId").GetProperty("default").GetString());
        // Swagger UI offers "Authorize" for the peer's API key, required by every operation.
        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        Assert.True(document.RootElement.GetProperty("security")[0].TryGetProperty("ApiKey", out _), "the API key is not required by the document");
    }
}
