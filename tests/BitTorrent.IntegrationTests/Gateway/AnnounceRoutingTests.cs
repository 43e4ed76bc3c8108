using System.Net.Http.Json;
using BitTorrent.ChordNode.Api;
using BitTorrent.ChordNode.Storage;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Tracker;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Gateway;

/// <summary>
/// /announce through the gateway goes to the swarm's owner; the owner answers from its own write and
/// replicates write-behind; a dead owner's replicas take over. Each runs twice: with a ring that trusts the gateway
/// (Tracker:TrustedProxies), which takes its announces in batches, and with one that does not, which refuses batches
/// and is sent one GET per announce.
/// </summary>
public sealed class AnnounceRoutingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_gateway_sends_each_announce_to_the_node_that_owns_the_swarm_so_no_node_forwards_one(bool trusted)
    {
        await using var ring = new ChordRing(output, Trust(trusted));
        await ring.StartAsync(4);
        await ring.WaitConvergedAsync();
        await using var gateway = await GatewayProcess.StartAsync(ring);
        await WaitForAllMembersAsync(gateway, 4);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url) };

        var before = await ForwardedAsync(ring);
        for (var i = 0; i < 40; i++)
            // Leechers: a seeder's first announce of a torrent on a node also starts the catalog's freshness
            // bookkeeping (a background write of seeded/{infoHash}, at most once per Tracker:StaleAfter/4), which
            // lives on that key's own primary; the announce itself is what must not be forwarded.
            await AnnounceAsync(http, InfoHash(i), $"-DD0001-{i:d12}", 7000 + i, left: 1);
        var after = await ForwardedAsync(ring);

        // Forty torrents spread over four nodes, and not one announce needed a forward inside the ring.
        Assert.Equal(before, after);
        // A trusting ring took them in batches; the other was sent each alone.
        Assert.Equal(trusted ? 40 : 0, await BatchedAsync(gateway));
        // Each swarm is on its owner, which the gateway found from the ring ids alone.
        var view = await ring.RingAsync(ring.Nodes[0]);
        for (var i = 0; i < 40; i++)
        {
            var owner = OwnerOf(view, InfoHash(i));
            Assert.Contains(SwarmKey.Of(InfoHash(i)), await ring.KeysAsync(ring.Nodes.Single(n => n.Url == owner)));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Announces_answered_by_the_owner_reach_every_replica_shortly_after(bool trusted)
    {
        await using var ring = new ChordRing(output, Trust(trusted));
        await ring.StartAsync(3); // replication 3: every node holds every swarm
        await ring.WaitConvergedAsync();
        await using var gateway = await GatewayProcess.StartAsync(ring);
        await WaitForAllMembersAsync(gateway, 3);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url) };

        var hash = InfoHash(7);
        await Parallel.ForAsync(0, 50, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await AnnounceAsync(http, hash, $"-DD0001-{i:d12}", 8000 + i, left: i % 2));

        await Eventually.TrueAsync(async () =>
        {
            var counts = new List<int>();
            foreach (var node in ring.Nodes) counts.Add((await LocalMembersAsync(ring, node, SwarmKey.Of(hash))).Count);
            output.WriteLine($"members held: {string.Join(", ", counts)}");
            return counts.All(c => c == 50);
        }, TimeSpan.FromSeconds(5), "write-behind replication did not reach every replica");
        Assert.Equal(trusted ? 50 : 0, await BatchedAsync(gateway));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task When_the_swarm_owner_is_killed_announces_through_the_gateway_still_succeed_and_keep_the_swarm(bool trusted)
    {
        await using var ring = new ChordRing(output, Trust(trusted));
        await ring.StartAsync(4);
        await ring.WaitConvergedAsync();
        await using var gateway = await GatewayProcess.StartAsync(ring);
        await WaitForAllMembersAsync(gateway, 4);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url) };

        var hash = InfoHash(42);
        await AnnounceAsync(http, hash, "-DD0001-seeder000001", 7001, left: 0);
        var view = await ring.RingAsync(ring.Nodes[0]);
        var owner = ring.Nodes.Single(n => n.Url == OwnerOf(view, hash));
        // The seeder's entry has reached the owner's replicas before the owner dies.
        await Eventually.TrueAsync(async () =>
        {
            var held = 0;
            foreach (var node in ring.Nodes)
                if ((await LocalMembersAsync(ring, node, SwarmKey.Of(hash))).Count == 1) held++;
            return held == 3;
        }, TimeSpan.FromSeconds(5), "the announce did not reach the replicas");

        owner.Kill();

        // Right after the kill the gateway still lists the dead owner; the next node in ring order answers,
        // and it has the seeder.
        for (var i = 0; i < 10; i++)
        {
            var reply = await AnnounceAsync(http, hash, $"-DD0001-leecher{i:d5}", 7100 + i, left: 100);
            Assert.Equal(1, reply.Require<BInteger>("complete").Value);
            // Compact peers (BEP 23): the seeder, 127.0.0.1:7001, is among them.
            Assert.Contains(reply.Require<BString>("peers").Bytes.Chunk(6), peer => peer.SequenceEqual(new byte[] { 127, 0, 0, 1, 0x1b, 0x59 }));
        }
    }

    private static Dictionary<string, string> Trust(bool trusted) =>
        trusted ? new() { ["Tracker__TrustedProxies__0"] = "127.0.0.1" } : [];

    /// <summary>Announces the gateway carried to their owners in answered batches, by its own metric.</summary>
    private static async Task<double> BatchedAsync(ServiceProcess gateway)
    {
        using var http = new HttpClient();
        return PrometheusText.Parse(await http.GetStringAsync($"{gateway.Url}/metrics")).Sum("bittorrent_gateway_tracker_batch_size_sum");
    }

    private static Id160 InfoHash(int i)
    {
        var bytes = new byte[Id160.ByteLength];
        BitConverter.TryWriteBytes(bytes, i * 2654435761u);
        bytes[19] = 0xAB;
        return new Id160(bytes);
    }

    private static string Encode(Id160 id)
    {
        Span<byte> bytes = stackalloc byte[Id160.ByteLength];
        id.WriteBigEndian(bytes);
        return string.Concat(bytes.ToArray().Select(b => $"%{b:x2}"));
    }

    private static async Task<BDictionary> AnnounceAsync(HttpClient http, Id160 infoHash, string peerId, int port, long left)
    {
        var bytes = await http.GetByteArrayAsync($"/announce?info_hash={Encode(infoHash)}&peer_id={peerId}&port={port}&uploaded=0&downloaded=0&left={left}&compact=1");
        var reply = (BDictionary)BencodeReader.Decode(bytes);
        Assert.False(reply.ContainsKey("failure reason"), reply.Get<BString>("failure reason")?.Text);
        return reply;
    }

    /// <summary>The member whose arc (predecessor, member] holds the swarm key: its primary.</summary>
    private static string OwnerOf(RingView view, Id160 infoHash)
    {
        var key = SwarmKey.RingId(infoHash);
        var members = view.Members.OrderBy(m => Id160.Parse(m.Id)).ToList();
        return (members.FirstOrDefault(m => Id160.Parse(m.Id) >= key) ?? members[0]).Url;
    }

    private static async Task<long> ForwardedAsync(ChordRing ring)
    {
        long total = 0;
        foreach (var node in ring.Live)
            total += (await ring.Http.GetFromJsonAsync<NodeInfo>($"{node.Url}/chord/info", ChordRing.Json))!.Forwarded;
        return total;
    }

    /// <summary>What one node holds itself (applied there as if it were the primary, which a read never changes).</summary>
    private static async Task<IReadOnlyList<SetMember>> LocalMembersAsync(ChordRing ring, ServiceProcess node, string key)
    {
        using var response = await ring.Http.PostAsJsonAsync($"{node.Url}/dht/apply", new DhtOperation(key, DhtOperationKind.GetSet), ChordRing.Json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<DhtResult>(ChordRing.Json))!.Members ?? [];
    }

    private sealed record GatewayReady(string Status, IReadOnlyList<string> ChordNodes);

    private static async Task WaitForAllMembersAsync(ServiceProcess gateway, int members)
    {
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () =>
            (await http.GetFromJsonAsync<GatewayReady>($"{gateway.Url}/readyz"))!.ChordNodes.Count == members,
            TimeSpan.FromSeconds(20), "the gateway did not learn every member");
    }
}
