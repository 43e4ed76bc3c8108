using System.Text;
using BitTorrent.ChordNode.Storage;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Ring;

public sealed class ReplicationTests(ITestOutputHelper output)
{
    private const int Keys = 1000;

    [Fact]
    public async Task Thousand_keys_and_swarms_survive_two_adjacent_nodes_killed_at_once_and_the_replication_factor_returns_to_three()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(8);
        await ring.WaitConvergedAsync();

        // Write through different members: registers and set-valued swarms.
        await Parallel.ForAsync(0, Keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var via = ring.Nodes[i % ring.Nodes.Count];
            await ring.ExecuteAsync(via, new DhtOperation($"torrent/{i}", DhtOperationKind.Put, Value: Encoding.UTF8.GetBytes($"value {i}")));
            await ring.ExecuteAsync(via, new DhtOperation($"swarm/{i}", DhtOperationKind.UpdateSet,
                Updates: [SetUpdate.Add("peer-a", $"{{\"port\":{i}}}"), SetUpdate.Add("peer-b", "{}")]));
        });

        // Kill two neighbours at once: for the keys they were primary and first replica of, one copy is left.
        var view = await ring.RingAsync(ring.Nodes[0]);
        var first = view.Members[2];
        var second = view.Members[3];
        var victims = ring.Nodes.Where(n => n.Url == first.Url || n.Url == second.Url).ToList();
        Assert.Equal(2, victims.Count);
        foreach (var victim in victims) victim.Kill();

        await ring.WaitConvergedAsync();
        var survivor = ring.Live.First();
        for (var i = 0; i < Keys; i++)
        {
            var value = await ring.ExecuteAsync(survivor, new DhtOperation($"torrent/{i}", DhtOperationKind.Get));
            Assert.Equal($"value {i}", Encoding.UTF8.GetString(value.Value ?? []));
            var swarm = await ring.ExecuteAsync(survivor, new DhtOperation($"swarm/{i}", DhtOperationKind.GetSet));
            Assert.Equal(["peer-a", "peer-b"], swarm.Members!.Select(m => m.Member).Order());
        }

        // Every key is back on at least three live members.
        await Eventually.TrueAsync(async () =>
        {
            var holders = new Dictionary<string, int>();
            foreach (var node in ring.Live)
                foreach (var key in await ring.KeysAsync(node))
                    holders[key] = holders.GetValueOrDefault(key) + 1;
            var under = Enumerable.Range(0, Keys).SelectMany(i => new[] { $"torrent/{i}", $"swarm/{i}" })
                .Count(k => holders.GetValueOrDefault(k) < 3);
            output.WriteLine($"keys on fewer than 3 members: {under}");
            return under == 0;
        }, TimeSpan.FromSeconds(30), "the replication factor was not restored");
    }

    [Fact]
    public async Task A_joining_node_takes_over_the_keys_it_now_owns()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        for (var i = 0; i < 200; i++)
            await ring.ExecuteAsync(ring.Nodes[i % 3], new DhtOperation($"name/{i}", DhtOperationKind.Put, Value: [(byte)i]));

        var newcomer = ring.StartNode();
        await ring.WaitReadyAsync(newcomer);
        await ring.WaitConvergedAsync();

        var view = await ring.RingAsync(newcomer);
        var index = view.Members.ToList().FindIndex(m => m.Url == newcomer.Url);
        var predecessor = BitTorrent.Shared.Identifiers.Id160.Parse(view.Members[(index + view.Members.Count - 1) % view.Members.Count].Id);
        var self = BitTorrent.Shared.Identifiers.Id160.Parse(view.Members[index].Id);
        var owned = Enumerable.Range(0, 200).Select(i => $"name/{i}")
            .Where(k => BitTorrent.Shared.Identifiers.Id160.InHalfOpen(BitTorrent.Shared.Identifiers.Id160.Hash(k), predecessor, self)).ToList();
        Assert.NotEmpty(owned);

        var held = await ring.KeysAsync(newcomer);
        Assert.All(owned, key => Assert.Contains(key, held));
        // And reads through the newcomer (now the primary) see the values.
        foreach (var key in owned)
        {
            var result = await ring.ExecuteAsync(ring.Nodes[0], new DhtOperation(key, DhtOperationKind.Get));
            Assert.Equal((byte)int.Parse(key["name/".Length..], System.Globalization.CultureInfo.InvariantCulture), Assert.Single(result.Value!));
        }
    }
}
