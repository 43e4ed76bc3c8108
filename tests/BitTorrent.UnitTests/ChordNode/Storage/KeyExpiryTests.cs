using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.ChordNode.Storage;

public sealed class KeyExpiryTests
{
    private static readonly HybridClock Clock = new(TimeProvider.System);

    [Fact]
    public void Swarms_whose_entries_all_expired_are_deleted_after_the_grace_period_so_random_info_hashes_leave_nothing()
    {
        var store = new LocalStore();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < 1000; i++)
            store.UpdateSet($"swarm/{i}", [SetUpdate.Add("peer", "{}", now + 75_000)], Clock, now);
        store.UpdateSet("swarm/live", [SetUpdate.Add("peer", "{}", now + 3_600_000)], Clock, now);

        Assert.Equal(0, store.Collect(now + 80_000, tombstoneTtlMs: 60_000)); // expired, still in the grace period
        Assert.Equal(1000, store.Collect(now + 140_000, tombstoneTtlMs: 60_000));

        Assert.Equal(["swarm/live"], store.Keys);
    }

    [Fact]
    public void A_writer_holding_a_deleted_entry_starts_again_on_a_fresh_one()
    {
        var store = new LocalStore();
        store.UpdateSet("swarm/x", [SetUpdate.Add("a", "{}")], Clock, 0);
        var old = store.Find("swarm/x")!;

        Assert.True(store.Remove("swarm/x"));
        Assert.Throws<StoredEntry.RetiredException>(() => old.Update([SetUpdate.Add("b", "{}")], Clock, 0));
        var (_, live, _) = store.UpdateSet("swarm/x", [SetUpdate.Add("b", "{}")], Clock, 0);

        Assert.NotSame(old, store.Find("swarm/x"));
        Assert.Equal(["b"], live.Select(m => m.Member));
    }

    [Fact]
    public async Task No_write_is_lost_when_keys_are_deleted_while_it_is_applied()
    {
        var store = new LocalStore();
        var removed = new System.Collections.Concurrent.ConcurrentBag<EntryData>();
        var writes = Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
                store.UpdateSet($"swarm/{i % 50}", [SetUpdate.Add($"p{i}", "{}")], Clock, 0);
        });
        while (!writes.IsCompleted)
        {
            // Delete keys while members arrive; what each deleted entry held is noted at the moment it goes.
            foreach (var entry in store.Entries)
                entry.TryRetire(e => { removed.Add(e.Snapshot()); return true; }, store.Detach);
            await Task.Yield();
        }
        await writes;

        var landed = removed.Concat(store.Entries.Select(e => e.Snapshot())).SelectMany(e => e.Members!).Select(m => m.Member).ToHashSet();
        Assert.Equal(20_000, landed.Count);
    }

    [Fact]
    public async Task Keys_outside_the_arcs_a_node_holds_are_handed_to_their_holders_and_then_deleted()
    {
        // Ring of five: p3 -> p2 -> p1 -> self; with 2 replicas self holds (p2, self] and nothing before p2.
        var nodes = Enumerable.Range(0, 5).Select(i => NodeRef.ForUrl($"http://n{i}")).OrderBy(n => n.Id).ToList();
        var self = nodes[4];
        var (p1, p2) = (nodes[3], nodes[2]);
        var rig = new StorageRig(self, [nodes[0]], new StorageSettings { Replicas = 2 });
        rig.Ring.Rectify(p1);
        for (var i = 0; i < nodes.Count - 1; i++)
            rig.Transport.States[nodes[i].Id] = new NodeState(nodes[i], nodes[(i + 4) % 5], [nodes[(i + 1) % 5], nodes[(i + 2) % 5], nodes[(i + 3) % 5]]);
        // Lookups answer from the true ring.
        rig.Transport.Lookup = id => LookupStep.Answer(nodes.FirstOrDefault(n => n.Id >= id) ?? nodes[0], []);

        var held = KeyIn(p1.Id, self.Id);
        var stray = KeyIn(nodes[0].Id, nodes[1].Id); // owned by n1, replicated on n2
        await rig.Store.Put(held, [1], Clock.Next()).Durable;
        await rig.Store.Put(stray, [2], Clock.Next()).Durable;

        var handedOff = await rig.Handoff.HandOffStrayKeysAsync();

        Assert.Equal(1, handedOff);
        Assert.True(rig.Store.Contains(held));
        Assert.False(rig.Store.Contains(stray));
        Assert.Equal([nodes[1], nodes[2]], rig.Transport.Merges.Where(m => m.Entries.Any(e => e.Key == stray)).Select(m => m.Target));
    }

    private static string KeyIn(Id160 from, Id160 to)
    {
        for (var i = 0; ; i++)
        {
            var key = $"torrent/{i}";
            if (Id160.InHalfOpen(Id160.Hash(key), from, to)) return key;
        }
    }
}
