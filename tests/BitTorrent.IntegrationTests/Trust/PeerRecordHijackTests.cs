using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Contracts.Tracker;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Trust;

/// <summary>
/// Someone who is not peer 1 tries to take its tracker record (and so what the gateway's /peers/{id} reaches) and
/// its swarm membership, straight at a chord node and through the gateway. Every attempt is refused, nothing
/// changes, and a file still moves from peer 1 to peer 2 through the gateway afterwards.
/// </summary>
public sealed class PeerRecordHijackTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Peer_record_and_swarm_changes_without_the_peers_token_are_refused_and_a_file_still_moves()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring);
        await using var victim = await PeerProcess.StartAsync(ring, folder.Sub("peer-1"));
        await using var other = await PeerProcess.StartAsync(ring, folder.Sub("peer-2"));
        var victimId = (await victim.MeAsync()).PeerId;
        var otherId = (await other.MeAsync()).PeerId;
        var otherToken = TrustKit.PeerToken(other.Storage);
        var victimToken = TrustKit.PeerToken(victim.Storage);
        using var attacker = TrustKit.BoundClient("127.0.0.5");
        using var gateway = new HttpClient { BaseAddress = new Uri(gatewayProcess.Url), Timeout = TimeSpan.FromMinutes(1) };
        var before = await gateway.GetFromJsonAsync<PeerInfo>($"/api/tracker/peers/{victimId}", ChordRing.Json);
        Assert.Equal(victim.Url, before!.ApiUrl);

        // The file the victim shares, so its swarm can be attacked too.
        var source = folder.RandomFile("shared.bin", 3 * 1024 * 1024 + 17, seed: 5);
        var infoHash = (await victim.PublishAsync(source)).InfoHash;
        var swarmBefore = await SwarmPeersAsync(gateway, infoHash);

        var hijack = """{"transferHost":"127.0.0.5","transferPort":7666,"apiUrl":"http://127.0.0.5:6666"}""";
        var attempts = new List<(string What, HttpStatusCode Expected, Func<string, HttpRequestMessage> Request)>
        {
            ("update without a token", HttpStatusCode.Unauthorized, root => Put($"{root}/api/tracker/peers/{victimId}", hijack, token: null)),
            ("update with another peer's token", HttpStatusCode.Forbidden, root => Put($"{root}/api/tracker/peers/{victimId}", hijack, otherToken)),
            ("update with a made-up token for the id", HttpStatusCode.Forbidden, root => Put($"{root}/api/tracker/peers/{victimId}", hijack, $"{victimId}.{new string('A', 43)}")),
            ("update with apiUrl null", HttpStatusCode.BadRequest, root => Put($"{root}/api/tracker/peers/{victimId}", """{"transferHost":"127.0.0.5","transferPort":7666,"apiUrl":null}""", token: null)),
            ("update with apiUrl null and the owner's token", HttpStatusCode.BadRequest, root => Put($"{root}/api/tracker/peers/{victimId}", """{"transferHost":"127.0.0.5","transferPort":7666,"apiUrl":null}""", victimToken)),
            ("update to a metadata address, even with the owner's token", HttpStatusCode.BadRequest,
                root => Put($"{root}/api/tracker/peers/{victimId}", """{"transferHost":"127.0.0.1","transferPort":7001,"apiUrl":"http://169.254.169.254/latest/meta-data/"}""", victimToken)),
            ("join the swarm as the other peer without a token", HttpStatusCode.Unauthorized,
                root => Put($"{root}/api/tracker/files/{infoHash}/swarm/{otherId}", """{"host":"127.0.0.5","port":22,"seeder":true}""", token: null)),
            ("join the swarm as the other peer with the victim's id in a made-up token", HttpStatusCode.Forbidden,
                root => Put($"{root}/api/tracker/files/{infoHash}/swarm/{otherId}", """{"host":"127.0.0.5","port":22,"seeder":true}""", $"{victimId}.{new string('B', 43)}")),
            ("leave the swarm for the victim without a token", HttpStatusCode.Unauthorized,
                root => new HttpRequestMessage(HttpMethod.Delete, $"{root}/api/tracker/files/{infoHash}/swarm/{victimId}")),
            ("leave the swarm for the victim with another peer's token", HttpStatusCode.Forbidden,
                root => WithToken(new HttpRequestMessage(HttpMethod.Delete, $"{root}/api/tracker/files/{infoHash}/swarm/{victimId}"), otherToken)),
            ("remove the victim's file from the catalog with another peer's token", HttpStatusCode.Forbidden,
                root => WithToken(new HttpRequestMessage(HttpMethod.Delete, $"{root}/api/tracker/files/{infoHash}"), otherToken)),
            ("remove the victim's file from the catalog without a token", HttpStatusCode.Unauthorized,
                root => new HttpRequestMessage(HttpMethod.Delete, $"{root}/api/tracker/files/{infoHash}")),
        };
        foreach (var root in new[] { ring.Nodes[0].Url, gatewayProcess.Url })
        {
            foreach (var (what, expected, make) in attempts)
            {
                using var request = make(root);
                using var response = await attacker.SendAsync(request);
                Assert.True(expected == response.StatusCode, $"{what} via {root}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        // Nothing changed: the record's addresses (only its owner's own refreshes touch the record, moving LastSeen and
        // its public status, such as the files it shares), the swarm, the catalog, and the gateway still reaches the victim.
        var after = await gateway.GetFromJsonAsync<PeerInfo>($"/api/tracker/peers/{victimId}", ChordRing.Json);
        Assert.Equal(before with { LastSeen = default, Status = null }, after! with { LastSeen = default, Status = null });
        Assert.Equal(swarmBefore, await SwarmPeersAsync(gateway, infoHash));
        Assert.Contains(await gateway.GetFromJsonAsync<TrackerFileSummary[]>("/api/tracker/files", ChordRing.Json) ?? [], f => f.InfoHash == infoHash);
        using var victimThroughGateway = await victim.ThroughGatewayAsync(gatewayProcess.Url);
        Assert.Equal(victimId, (await victimThroughGateway.GetFromJsonAsync<BitTorrent.Peer.Api.MeView>("api/me", ChordRing.Json))!.PeerId);

        // And the system still works: peer 2 downloads the file from peer 1, through the gateway.
        using var otherThroughGateway = await other.ThroughGatewayAsync(gatewayProcess.Url);
        using (var start = await otherThroughGateway.PostAsJsonAsync("api/downloads", new { infoHash }))
            Assert.True(start.IsSuccessStatusCode, await start.Content.ReadAsStringAsync());
        await other.WaitForStateAsync(infoHash, "completed");
        Assert.Equal(TempFolder.Sha256(source), await other.ContentSha256Async(infoHash));
    }

    private static HttpRequestMessage Put(string url, string json, string? token) =>
        WithToken(new HttpRequestMessage(HttpMethod.Put, url) { Content = TrustKit.Json(json) }, token);

    private static HttpRequestMessage WithToken(HttpRequestMessage request, string? token)
    {
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static async Task<string> SwarmPeersAsync(HttpClient gateway, string infoHash)
    {
        var details = await gateway.GetFromJsonAsync<TrackerFileDetails>($"/api/tracker/files/{infoHash}", ChordRing.Json);
        return string.Join(",", details!.Peers.Select(p => $"{p.PeerId}@{p.Host}:{p.Port}").Order(StringComparer.Ordinal));
    }
}
