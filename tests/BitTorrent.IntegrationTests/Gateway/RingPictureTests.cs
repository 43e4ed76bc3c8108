using System.Net;
using System.Net.Http.Json;
using BitTorrent.ChordNode.Api;
using BitTorrent.ChordNode.Storage;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Identifiers;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Gateway;

/// <summary>
/// What the gateway's ring picture reads, through the gateway on a ring of four: each member's details (neighbours,
/// the keys its store holds, its lookups) and where a key lives (its ring id, owner and replica holders), checked
/// against the members' own stores.
/// </summary>
public sealed class RingPictureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_members_details_match_the_ring_and_its_own_store()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(4);
        await ring.WaitConvergedAsync();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring);
        using var gateway = new HttpClient { BaseAddress = new Uri(gatewayProcess.Url), Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < 40; i++)
            await ring.ExecuteAsync(ring.Nodes[i % 4], new DhtOperation($"picture/{i}", DhtOperationKind.Put, Value: [(byte)i]));
        // Replication is synchronous: every holder has every key once the writes are answered.
        var view = await ring.RingAsync(ring.Nodes[0]);

        foreach (var member in view.Members)
        {
            var details = (await gateway.GetFromJsonAsync<RingNodeDetails>($"/api/tracker/ring/nodes/{member.Id}", ChordRing.Json))!;
            Assert.Equal((member.Id, member.Url), (details.Self.Id.ToString(), details.Self.Url));
            Assert.Equal(member.Predecessor, details.Predecessor?.Url);
            Assert.Equal(member.Successors, details.Successors.Select(s => s.Url));
            var node = ring.Nodes.Single(n => n.Url == member.Url);
            Assert.Equal((await ring.KeysAsync(node)).Count, details.Keys);
            Assert.True(details.Keys > 0, $"{member.Url} holds no key; with 4 members and 3 replicas each holds all but its successor's");
            Assert.Equal(details.Hops.Lookups, details.Hops.Histogram.Values.Sum());
        }

        using var unknown = await gateway.GetAsync($"/api/tracker/ring/nodes/{Id160.Hash("nobody")}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("No live ring member has the id", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var malformed = await gateway.GetAsync("/api/tracker/ring/nodes/not-an-id");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task A_keys_placement_names_its_successor_and_the_next_members_and_exactly_they_hold_it()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(4);
        await ring.WaitConvergedAsync();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring);
        using var gateway = new HttpClient { BaseAddress = new Uri(gatewayProcess.Url), Timeout = TimeSpan.FromSeconds(30) };
        var members = (await ring.RingAsync(ring.Nodes[0])).Members; // in id order

        for (var i = 0; i < 6; i++)
        {
            var key = $"name/holiday-{i}.jpg";
            await ring.ExecuteAsync(ring.Nodes[0], new DhtOperation(key, DhtOperationKind.Put, Value: [1]));
            var placement = (await gateway.GetFromJsonAsync<KeyPlacementView>($"/api/tracker/ring/placement?key={Uri.EscapeDataString(key)}", ChordRing.Json))!;

            var only = Assert.Single(placement.Keys);
            Assert.Equal((key, 3), (only.Key, placement.Replicas));
            Assert.Equal(Id160.Hash(key), only.Id);
            // The owner is the first member at or after the key's id, wrapping; the replicas the next two.
            var first = members.Select((m, index) => (m, index)).FirstOrDefault(x => Id160.Parse(x.m.Id) >= only.Id);
            var ownerIndex = first.m is null ? 0 : first.index;
            var expected = Enumerable.Range(0, 3).Select(k => members[(ownerIndex + k) % members.Count].Url).ToList();
            Assert.Equal(expected[0], only.Owner.Url);
            Assert.Equal(expected, only.Holders.Select(h => h.Url));
            foreach (var node in ring.Nodes)
                Assert.Equal(expected.Contains(node.Url), (await ring.KeysAsync(node)).Contains(key));
        }

        // An info-hash names the file's keys: its .torrent, its swarm and its catalog partition.
        var infoHash = Id160.Hash("some file");
        var file = (await gateway.GetFromJsonAsync<KeyPlacementView>($"/api/tracker/ring/placement?key={infoHash}", ChordRing.Json))!;
        Assert.Equal([$"torrent/{infoHash}", $"swarm/{infoHash}", $"catalog/{infoHash.Mod(16)}"], file.Keys.Select(k => k.Key));
        Assert.All(file.Keys, k => Assert.Equal(Id160.Hash(k.Key), k.Id));

        using var empty = await gateway.GetAsync("/api/tracker/ring/placement?key=");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        using var tooLong = await gateway.GetAsync($"/api/tracker/ring/placement?key={new string('k', 600)}");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("at most 512 characters", await tooLong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
