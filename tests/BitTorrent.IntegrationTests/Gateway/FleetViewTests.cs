using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.IntegrationTests.Trust;
using BitTorrent.Shared.Contracts.Tracker;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Gateway;

/// <summary>
/// The fleet view: real peers report their public status to the tracker with their tokens, the gateway shows each
/// with its health (from that report and its own probe of /readyz), and nobody else can write a peer's status.
/// </summary>
public sealed class FleetViewTests(ITestOutputHelper output)
{
    private sealed record Fleet(int Registered, int Healthy, IReadOnlyList<FleetPeer> Peers);
    private sealed record FleetPeer(long PeerId, string? UiPath, string Health, bool SeenRecently, bool? Ready, PeerStatus? Status);

    [Fact]
    public async Task Peers_report_their_status_and_the_gateway_shows_their_health_until_one_dies()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring, new Dictionary<string, string> { ["Gateway__PeerProbeInterval"] = "00:00:00.500" });
        await using var first = await PeerProcess.StartAsync(ring, folder.Sub("peer-1"));
        await using var second = await PeerProcess.StartAsync(ring, folder.Sub("peer-2"));
        var (id1, id2) = ((await first.MeAsync()).PeerId, (await second.MeAsync()).PeerId);
        using var gateway = new HttpClient { BaseAddress = new Uri(gatewayProcess.Url), Timeout = TimeSpan.FromSeconds(30) };

        // A published file shows in its publisher's next report (peers here refresh every 5 s).
        await first.PublishAsync(folder.RandomFile("fleet.bin", 300_000, seed: 3));
        Fleet fleet = null!;
        await Eventually.TrueAsync(async () =>
        {
            fleet = (await gateway.GetFromJsonAsync<Fleet>("/api/gateway/fleet", ChordRing.Json))!;
            return fleet.Peers.SingleOrDefault(p => p.PeerId == id1)?.Status?.FilesShared == 1
                && fleet.Peers.All(p => p.Health == "healthy");
        }, TimeSpan.FromSeconds(30), "the fleet never showed both peers healthy with peer 1's file");
        Assert.Equal((2, 2), (fleet.Registered, fleet.Healthy));
        foreach (var (peer, id) in new[] { (first, id1), (second, id2) })
        {
            var shown = fleet.Peers.Single(p => p.PeerId == id);
            Assert.Equal(($"peers/{id}/", true, true), (shown.UiPath, shown.SeenRecently, shown.Ready));
            Assert.Equal(5, shown.Status!.RefreshSeconds);
            Assert.Matches("^[0-9]+\\.[0-9]+", shown.Status.Version);
            // The same status is public in the tracker's peer list.
            var listed = (await gateway.GetFromJsonAsync<PeerInfo[]>("/api/tracker/peers", ChordRing.Json))!.Single(p => p.PeerId == id);
            Assert.NotNull(listed.Status);
            Assert.Equal(peer.Url, listed.ApiUrl);
        }
        // The UI link works through the gateway.
        Assert.Contains("D&amp;D BitTorrent peer", await gateway.GetStringAsync(fleet.Peers[0].UiPath), StringComparison.Ordinal);

        // A peer that dies: its report expires after two refresh periods and the probe fails.
        first.Kill();
        await Eventually.TrueAsync(async () =>
            (await gateway.GetFromJsonAsync<Fleet>("/api/gateway/fleet", ChordRing.Json))!.Peers.Single(p => p.PeerId == id1).Health == "offline",
            TimeSpan.FromSeconds(40), "the dead peer never showed offline");
        var after = (await gateway.GetFromJsonAsync<Fleet>("/api/gateway/fleet", ChordRing.Json))!;
        Assert.Equal(("offline", false, null), (after.Peers.Single(p => p.PeerId == id1).Health, after.Peers.Single(p => p.PeerId == id1).SeenRecently, after.Peers.Single(p => p.PeerId == id1).Status));
        Assert.Equal("healthy", after.Peers.Single(p => p.PeerId == id2).Health);
        Assert.Equal((2, 1), (after.Registered, after.Healthy));
    }

    [Fact]
    public async Task A_status_without_the_peers_token_or_out_of_bounds_is_refused_and_changes_nothing()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring);
        await using var victim = await PeerProcess.StartAsync(ring, folder.Sub("peer-1"));
        await using var other = await PeerProcess.StartAsync(ring, folder.Sub("peer-2"));
        var victimId = (await victim.MeAsync()).PeerId;
        var victimToken = TrustKit.PeerToken(victim.Storage);
        var otherToken = TrustKit.PeerToken(other.Storage);
        using var attacker = TrustKit.BoundClient("127.0.0.5");
        using var gateway = new HttpClient { BaseAddress = new Uri(gatewayProcess.Url), Timeout = TimeSpan.FromSeconds(30) };
        await Eventually.TrueAsync(async () => (await StatusAsync(gateway, victimId)) is not null, TimeSpan.FromSeconds(20), "the victim never reported");

        var forged = """{"activeDownloads":999,"downloadBytesPerSecond":1,"uploadBytesPerSecond":1,"filesShared":999,"version":"forged","refreshSeconds":3600}""";
        var huge = $$"""{"activeDownloads":1,"downloadBytesPerSecond":1,"uploadBytesPerSecond":1,"filesShared":1,"version":"{{new string('9', 4000)}}","refreshSeconds":20}""";
        var attempts = new List<(string What, HttpStatusCode Expected, string Body, string? Token, long PeerId)>
        {
            ("no token", HttpStatusCode.Unauthorized, forged, null, victimId),
            ("another peer's token", HttpStatusCode.Forbidden, forged, otherToken, victimId),
            ("a made-up token for the id", HttpStatusCode.Forbidden, forged, $"{victimId}.{new string('A', 43)}", victimId),
            ("a body over 1 KiB, even with the owner's token", HttpStatusCode.RequestEntityTooLarge, huge, victimToken, victimId),
            ("a negative rate, with the owner's token", HttpStatusCode.BadRequest, forged.Replace("\"downloadBytesPerSecond\":1", "\"downloadBytesPerSecond\":-1", StringComparison.Ordinal), victimToken, victimId),
            ("a refresh period of a day, with the owner's token", HttpStatusCode.BadRequest, forged.Replace("3600", "86400", StringComparison.Ordinal), victimToken, victimId),
            ("not JSON", HttpStatusCode.BadRequest, "activeDownloads=999", victimToken, victimId),
            ("an id nobody has", HttpStatusCode.NotFound, forged, "987654.whatever", 987654),
        };
        foreach (var root in new[] { ring.Nodes[0].Url, gatewayProcess.Url })
        {
            foreach (var (what, expected, body, token, peerId) in attempts)
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, $"{root}/api/tracker/peers/{peerId}/status") { Content = TrustKit.Json(body) };
                if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                // An oversized body waits for the server's go-ahead (100-continue), as a client sending a body should: the 413
                // comes before the body is sent. Sent at once, the body is left unread when the server refuses it and closes,
                // and the reset can take the 413 with it (through the gateway, a 502).
                if (expected == HttpStatusCode.RequestEntityTooLarge) request.Headers.ExpectContinue = true;
                using var response = await attacker.SendAsync(request);
                Assert.True(expected == response.StatusCode, $"{what} via {root}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                if (expected != HttpStatusCode.RequestEntityTooLarge)
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        // Nothing forged reached the record: the victim's own report stands, and it is still healthy in the fleet.
        var status = await StatusAsync(gateway, victimId);
        Assert.NotNull(status);
        Assert.NotEqual("forged", status.Version);
        Assert.Equal((0, 5), (status.ActiveDownloads, status.RefreshSeconds));
        await Eventually.TrueAsync(async () =>
        {
            using var fleet = JsonDocument.Parse(await gateway.GetStringAsync("/api/gateway/fleet"));
            return fleet.RootElement.GetProperty("peers").EnumerateArray()
                .Any(p => p.GetProperty("peerId").GetInt64() == victimId && p.GetProperty("health").GetString() == "healthy");
        }, TimeSpan.FromSeconds(20), "the victim is not healthy in the fleet after the attempts");

        // With its own token, the owner's report is taken.
        using var own = new HttpRequestMessage(HttpMethod.Put, $"{gatewayProcess.Url}/api/tracker/peers/{victimId}/status")
        {
            Content = TrustKit.Json("""{"activeDownloads":0,"downloadBytesPerSecond":0,"uploadBytesPerSecond":0,"filesShared":0,"version":"9.9.9","refreshSeconds":5}"""),
        };
        own.Headers.Authorization = new AuthenticationHeaderValue("Bearer", victimToken);
        using var accepted = await gateway.SendAsync(own);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("9.9.9", (await accepted.Content.ReadFromJsonAsync<PeerStatus>(ChordRing.Json))!.Version);
    }

    private static async Task<PeerStatus?> StatusAsync(HttpClient gateway, long peerId) =>
        (await gateway.GetFromJsonAsync<PeerInfo>($"/api/tracker/peers/{peerId}", ChordRing.Json))!.Status;
}
