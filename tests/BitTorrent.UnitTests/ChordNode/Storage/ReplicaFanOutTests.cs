using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;

namespace BitTorrent.UnitTests.ChordNode.Storage;

public sealed class ReplicaFanOutTests
{
    private static readonly NodeRef Self = NodeRef.ForUrl("http://primary");
    private static readonly NodeRef[] Successors = [NodeRef.ForUrl("http://s1"), NodeRef.ForUrl("http://s2"), NodeRef.ForUrl("http://s3")];

    [Fact]
    public async Task A_batch_goes_to_the_replicas_minus_one_successors_at_once_and_the_ones_that_missed_it_are_named()
    {
        var rig = new StorageRig(Self, Successors, new StorageSettings { Replicas = 3 });
        rig.Transport.Dead[Successors[1].Id] = true;

        var failed = await rig.FanOut.SendAsync([new EntryData("torrent/x", EntryKind.Register, [1], 1)]);

        Assert.Equal([Successors[0], Successors[1]], rig.FanOut.Targets());
        Assert.Equal([Successors[1]], failed);
        Assert.Equal([Successors[0]], rig.Transport.Merges.Select(m => m.Target));
    }

    [Fact]
    public async Task A_synchronous_write_is_answered_after_the_reachable_replicas_have_it()
    {
        var rig = new StorageRig(Self, Successors, new StorageSettings { Replicas = 3 });
        rig.Transport.Dead[Successors[0].Id] = true;
        await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("catalog/3", DhtOperationKind.UpdateSet, Updates: [SetUpdate.Add("h", "{}")]));
        var merge = Assert.Single(rig.Transport.Merges);
        Assert.Equal(Successors[1], merge.Target);
    }

    [Fact]
    public async Task An_increment_starts_from_the_highest_value_any_replica_holds()
    {
        var rig = new StorageRig(Self, Successors, new StorageSettings { Replicas = 3 });
        // The first replica served the counter before this node took over its arc, up to 41.
        var replica = new StorageRig(Successors[0], [Successors[1]]);
        await replica.Store.MergeAsync(new EntryData("counter/peer-id", EntryKind.Counter, Count: 41));
        rig.Transport.Peers[Successors[0].Id] = replica.AntiEntropy;

        var result = await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("counter/peer-id", DhtOperationKind.Increment));

        Assert.Equal(42, result.Count);
        Assert.All(rig.FanOut.Targets(), t => Assert.Contains(rig.Transport.Merges, m => m.Target == t && m.Entries.Single().Count == 42));
    }

    [Fact]
    public async Task An_increment_is_not_acknowledged_until_every_replica_holds_it()
    {
        var rig = new StorageRig(Self, Successors, new StorageSettings
        {
            Replicas = 3,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            CounterReplicationTimeout = TimeSpan.FromSeconds(5),
        });
        rig.Transport.Dead[Successors[1].Id] = true;

        var increment = rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("counter/peer-id", DhtOperationKind.Increment));
        await Task.Delay(300);
        Assert.False(increment.IsCompleted);

        // The ring drops the dead replica; the next successor becomes a replica and takes the counter.
        rig.Ring.SetSuccessors(Successors[0], [Successors[2]]);
        var result = await increment.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1, result.Count);
        Assert.Contains(rig.Transport.Merges, m => m.Target == Successors[0]);
        Assert.Contains(rig.Transport.Merges, m => m.Target == Successors[2]);
    }

    [Fact]
    public async Task An_increment_that_cannot_reach_every_replica_in_time_fails_and_its_value_is_never_handed_out_again()
    {
        var rig = new StorageRig(Self, Successors, new StorageSettings
        {
            Replicas = 3,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            CounterReplicationTimeout = TimeSpan.FromMilliseconds(200),
        });
        rig.Transport.Dead[Successors[1].Id] = true;

        await Assert.ThrowsAsync<DhtUnavailableException>(() => rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("counter/peer-id", DhtOperationKind.Increment)));

        rig.Transport.Dead.Clear();
        var next = await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("counter/peer-id", DhtOperationKind.Increment));
        Assert.Equal(2, next.Count);
    }
}
