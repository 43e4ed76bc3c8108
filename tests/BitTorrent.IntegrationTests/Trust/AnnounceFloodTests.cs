using System.Net;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Trust;

/// <summary>
/// Random info-hashes and peer_ids cannot grow the tracker without bound: a swarm holds at most
/// Tracker:MaxPeersPerSwarm live entries, announces write no durable key, and every entry expires. A flood
/// from one address is also rate-limited by the node itself, while ring RPC is not.
/// </summary>
[Collection(Alone.Name)]
[Trait(Alone.Trait, Alone.Value)]
public sealed class AnnounceFloodTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_flood_of_random_info_hashes_and_peer_ids_leaves_swarms_bounded_and_nothing_after_expiry()
    {
        await using var ring = new ChordRing(output, new Dictionary<string, string>
        {
            ["Tracker__MaxPeersPerSwarm"] = "25",
            ["Tracker__AnnounceInterval"] = "00:00:02",
            ["Tracker__MinAnnounceInterval"] = "00:00:01",
            ["Tracker__PeerTtl"] = "00:00:10", // longer than the 300 announces take on a loaded machine: none expires meanwhile
        });
        await ring.StartAsync(1);
        var node = ring.Nodes[0].Url;
        using var flooder = TrustKit.BoundClient("127.0.0.5");
        var target = Id160.Hash("one popular torrent");

        // 300 made-up peers into one swarm: at most 25 live entries, the rest refused with a reason.
        var refused = 0;
        for (var i = 0; i < 300; i++)
        {
            var reply = await TrustKit.AnnounceAsync(flooder, node, target, $"fake {i}", 10_000 + i, "completed", left: 0);
            if (reply.ContainsKey("failure reason")) refused++;
        }
        Assert.Equal(275, refused);
        Assert.Equal(25, (await TrustKit.SwarmAsync(ring, target)).Count);

        // 400 random info-hashes, each "completed": swarm keys only, nothing durable.
        await Parallel.ForAsync(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await TrustKit.AnnounceAsync(flooder, node, Id160.Hash($"random {i}"), $"peer {i}", 6881, "completed", left: 0));
        var keys = await ring.KeysAsync(ring.Nodes[0]);
        Assert.All(keys, k => Assert.StartsWith("swarm/", k, StringComparison.Ordinal));
        Assert.Equal(401, keys.Count);

        // Every entry expires: after the TTL no swarm has a live member.
        await Task.Delay(TimeSpan.FromSeconds(11));
        Assert.Empty(await TrustKit.SwarmAsync(ring, target));
        foreach (var i in new[] { 0, 199, 399 }) Assert.Empty(await TrustKit.SwarmAsync(ring, Id160.Hash($"random {i}")));

        // The tracker still works: a real pair finds each other.
        using var seeder = TrustKit.BoundClient("127.0.0.2");
        await TrustKit.AnnounceAsync(seeder, node, target, "seeder", 7001, "started", left: 0);
        using var leecher = new HttpClient();
        var reply2 = await TrustKit.AnnounceAsync(leecher, node, target, "leecher", 7002, "started");
        Assert.Equal(new byte[] { 127, 0, 0, 2, 0x1b, 0x59 }, reply2.Require<BString>("peers").Bytes);
    }

    [Fact]
    public async Task A_flood_from_one_address_is_rate_limited_by_the_node_while_ring_rpc_and_other_addresses_are_not()
    {
        await using var ring = new ChordRing(output, new Dictionary<string, string> { ["Tracker__RequestsPerSecond"] = "50" });
        await ring.StartAsync(1);
        var node = ring.Nodes[0].Url;
        using var flooder = TrustKit.BoundClient("127.0.0.5");
        using var bystander = TrustKit.BoundClient("127.0.0.6");
        var infoHash = Id160.Hash("limited");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 300).Select(async i =>
        {
            using var response = await flooder.GetAsync(node + TrustKit.AnnounceQuery(infoHash, $"flood {i}", 6881));
            return response.StatusCode;
        }));
        using var rpc = await ring.Http.GetAsync($"{node}/chord/ping");
        using var other = await bystander.GetAsync(node + TrustKit.AnnounceQuery(infoHash, "bystander", 6882));

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 50);
        Assert.Equal(HttpStatusCode.NoContent, rpc.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(HttpStatusCode.OK, (await flooder.GetAsync(node + TrustKit.AnnounceQuery(infoHash, "later", 6883))).StatusCode);
    }
}
