using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;

namespace BitTorrent.UnitTests.ChordNode.Storage;

public sealed class WriteBehindReplicationTests
{
    private static readonly NodeRef Primary = NodeRef.ForUrl("http://primary");
    private static readonly NodeRef[] Replicas = [NodeRef.ForUrl("http://replica-1"), NodeRef.ForUrl("http://replica-2")];

    [Fact]
    public void The_node_options_and_the_storage_settings_default_to_the_same_50_ms_window()
    {
        // Each flush is one merge RPC per replica: the window sets both the CPU an announce costs and what a crash loses.
        Assert.Equal(TimeSpan.FromMilliseconds(50), new ChordOptions().WriteBehindDelay);
        Assert.Equal(new ChordOptions().WriteBehindDelay, new StorageSettings().WriteBehindDelay);
    }

    [Fact]
    public async Task A_write_behind_update_is_answered_before_the_replicas_have_it_and_reaches_them_coalesced()
    {
        var (rig, transport) = Build(TimeSpan.FromMilliseconds(300));

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("swarm/a", DhtOperationKind.UpdateSet, Updates: [SetUpdate.Add($"peer-{i}", "{}")], WriteBehind: true))));

        // Answered from the primary's own store, with nothing sent yet.
        Assert.Contains(answers, a => a.Members!.Count == 20);
        Assert.Empty(transport.Merges);
        Assert.Equal(20, rig.WriteBehind.Pending);

        // Then each replica gets one merge with all twenty members.
        await EventuallyAsync(() => transport.Merges.Count == 2);
        foreach (var replica in Replicas)
        {
            var merge = Assert.Single(transport.Merges, m => m.Target == replica);
            var entry = Assert.Single(merge.Entries);
            Assert.Equal("swarm/a", entry.Key);
            Assert.Equal(20, entry.Members!.Count);
        }
        Assert.Equal(0, rig.WriteBehind.Pending);
    }

    [Fact]
    public async Task Changes_to_one_member_waiting_for_a_flush_coalesce_to_the_latest()
    {
        var (rig, transport) = Build(TimeSpan.FromMilliseconds(200));
        await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("swarm/b", DhtOperationKind.UpdateSet, Updates: [SetUpdate.Add("peer", "first")], WriteBehind: true));
        await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("swarm/b", DhtOperationKind.UpdateSet, Updates: [SetUpdate.Add("peer", "second")], WriteBehind: true));
        await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("swarm/c", DhtOperationKind.UpdateSet, Updates: [SetUpdate.Remove("gone")], WriteBehind: true));

        await EventuallyAsync(() => transport.Merges.Count == 2);
        var entries = transport.Merges[0].Entries;
        Assert.Equal(["swarm/b", "swarm/c"], entries.Select(e => e.Key).Order());
        var member = Assert.Single(entries.Single(e => e.Key == "swarm/b").Members!);
        Assert.Equal("second", member.Value);
        Assert.Null(Assert.Single(entries.Single(e => e.Key == "swarm/c").Members!).Value);
    }

    [Fact]
    public async Task Other_writes_stay_synchronous_every_replica_has_them_when_the_call_returns()
    {
        var (rig, transport) = Build(TimeSpan.FromSeconds(30));
        await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("catalog/0", DhtOperationKind.UpdateSet, Updates: [SetUpdate.Add("x", "{}")]));
        await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("torrent/x", DhtOperationKind.Put, Value: [1, 2, 3]));

        Assert.Equal(4, transport.Merges.Count);
        Assert.Equal(2, transport.Merges.Count(m => m.Entries.Single().Key == "catalog/0"));
        Assert.Equal(0, rig.WriteBehind.Pending);
    }

    [Fact]
    public async Task An_unreachable_replica_does_not_stop_the_others_or_later_flushes()
    {
        var (rig, transport) = Build(TimeSpan.FromMilliseconds(10));
        transport.Dead[Replicas[0].Id] = true;
        await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("swarm/d", DhtOperationKind.UpdateSet, Updates: [SetUpdate.Add("p1", "{}")], WriteBehind: true));
        await EventuallyAsync(() => transport.Merges.Count == 1);
        await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("swarm/d", DhtOperationKind.UpdateSet, Updates: [SetUpdate.Add("p2", "{}")], WriteBehind: true));
        await EventuallyAsync(() => transport.Merges.Count == 2);
        Assert.All(transport.Merges, m => Assert.Equal(Replicas[1], m.Target));
    }

    private static (StorageRig Rig, RecordingTransport Transport) Build(TimeSpan delay)
    {
        var rig = new StorageRig(Primary, Replicas, new StorageSettings { WriteBehindDelay = delay });
        return (rig, rig.Transport);
    }

    private static Task EventuallyAsync(Func<bool> condition) => StorageRig.EventuallyAsync(condition);
}
