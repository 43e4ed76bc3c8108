using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Contracts.Tracker;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Trust;

/// <summary>
/// The whole ring restarts empty (its store in memory is gone) while a peer keeps its id and token. Someone
/// registers first and is given that same id: the peer's old token does not open the new owner's record, so
/// it cannot be hijacked either way, and the peer recovers by registering again.
/// </summary>
public sealed class TrackerForgetsAPeerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_ring_restarted_empty_gives_a_peers_old_id_to_someone_else_and_the_peer_registers_again_without_taking_it()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        var oldId = (await peer.MeAsync()).PeerId;
        var oldToken = TrustKit.PeerToken(peer.Storage);
        var port = new Uri(ring.Nodes[0].Url).Port;

        // The peer stops (its peer.json keeps id and token); the ring dies and comes back on the same address, empty.
        peer.Kill();
        ring.Nodes[0].Kill();
        var fresh = ring.StartNode(port: port);
        await ring.WaitReadyAsync(fresh);

        // A newcomer registers first and is given the id the peer still holds.
        using var http = new HttpClient { BaseAddress = new Uri(fresh.Url) };
        using (var registered = await http.PostAsJsonAsync("/api/tracker/peers", new PeerRegistration("127.0.0.8", 7008, "http://127.0.0.8:5208")))
        {
            var newcomer = await registered.Content.ReadFromJsonAsync<RegisteredPeer>(ChordRing.Json);
            Assert.Equal(oldId, newcomer!.PeerId);
        }

        // The peer starts again: its update under the old id is refused (403), so it registers again under a new id.
        await peer.RestartAsync(ring);
        var ids = new MeViewIds((await peer.MeAsync()).PeerId, TrustKit.PeerToken(peer.Storage));
        Assert.NotEqual(oldId, ids.Id);

        // The old token opens nothing: not the record now under the old id, not the peer's new one.
        using (var request = new HttpRequestMessage(HttpMethod.Put, $"/api/tracker/peers/{oldId}")
        {
            Content = JsonContent.Create(new PeerRegistration("127.0.0.1", 7001, peer.Url)),
        })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", oldToken);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        Assert.Equal("http://127.0.0.8:5208", (await http.GetFromJsonAsync<PeerInfo>($"/api/tracker/peers/{oldId}", ChordRing.Json))!.ApiUrl);
        var current = await http.GetFromJsonAsync<PeerInfo>($"/api/tracker/peers/{ids.Id}", ChordRing.Json);
        Assert.Equal(peer.Url, current!.ApiUrl);
        Assert.NotEqual(oldToken, ids.Token);
    }

    private readonly record struct MeViewIds(long Id, string Token);
}
