using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Identifiers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace BitTorrent.UnitTests.ChordNode.Storage;

public sealed class CounterClaimTests
{
    private const string Counter = "counter/peer-id";
    private static readonly DhtOperation Increment = new(Counter, DhtOperationKind.Increment);

    [Fact]
    public async Task Two_nodes_that_both_believe_they_own_a_counter_never_hand_out_the_same_value()
    {
        // A joined in front of B and B has not learned of it yet, so both serve increments of the counter:
        // A's replicas are B and R1, B's are R1 and R2.
        var (a, b, r1, r2) = (NodeRef.ForUrl("http://a"), NodeRef.ForUrl("http://b"), NodeRef.ForUrl("http://r1"), NodeRef.ForUrl("http://r2"));
        var transport = new RecordingTransport();
        var settings = new StorageSettings { Replicas = 3, RetryDelay = TimeSpan.FromMilliseconds(5) };
        var nodeA = new StorageRig(a, [b, r1], settings, transport: transport);
        var nodeB = new StorageRig(b, [r1, r2], settings, transport: transport);
        foreach (var rig in new[] { nodeA, nodeB, new StorageRig(r1, [r2, a], settings, transport: transport), new StorageRig(r2, [a, b], settings, transport: transport) })
        {
            transport.Stores[rig.Ring.Self.Id] = rig.Store;
            transport.Peers[rig.Ring.Self.Id] = rig.AntiEntropy;
        }

        var handedOut = new List<long>();
        for (var round = 0; round < 50; round++)
        {
            // Both read the replicas and take their next value before either value reaches a replica.
            transport.CounterWrites.Hold();
            var fromA = nodeA.Primary.ApplyAsPrimaryAsync(Increment);
            var fromB = nodeB.Primary.ApplyAsPrimaryAsync(Increment);
            await transport.CounterWrites.UntilHeldAsync(4);
            transport.CounterWrites.ReleaseAll();
            handedOut.Add((await fromA).Count);
            handedOut.Add((await fromB).Count);
        }

        Assert.Equal(handedOut.Count, handedOut.Distinct().Count());
    }

    [Fact]
    public async Task A_replica_accepts_a_re_sent_claim_and_refuses_the_same_value_from_another_writer_or_a_lower_one()
    {
        var store = new LocalStore();
        var first = new CounterWriter(Id160.Hash("a"), 1);

        Assert.Equal(new CounterClaimReply(true, 5), await store.ClaimAsync(new CounterClaim(Counter, 5, first)));
        // The answer was lost and the primary sends the same claim again: the same write, accepted again.
        Assert.Equal(new CounterClaimReply(true, 5), await store.ClaimAsync(new CounterClaim(Counter, 5, first)));
        // Another node, or the same node after a restart (a new nonce), claiming the same value is refused.
        Assert.Equal(new CounterClaimReply(false, 5), await store.ClaimAsync(new CounterClaim(Counter, 5, new CounterWriter(Id160.Hash("b"), 1))));
        Assert.Equal(new CounterClaimReply(false, 5), await store.ClaimAsync(new CounterClaim(Counter, 5, first with { Nonce = 2 })));
        Assert.Equal(new CounterClaimReply(false, 5), await store.ClaimAsync(new CounterClaim(Counter, 4, new CounterWriter(Id160.Hash("b"), 2))));
        Assert.Equal(new CounterClaimReply(true, 6), await store.ClaimAsync(new CounterClaim(Counter, 6, new CounterWriter(Id160.Hash("b"), 3))));
        Assert.Equal(6, store.Find(Counter)!.Count);
    }

    [Fact]
    public async Task A_value_learned_by_merge_keeps_the_maximum_and_accepts_no_claim_of_it()
    {
        var store = new LocalStore();
        var writer = new CounterWriter(Id160.Hash("a"), 1);
        await store.ClaimAsync(new CounterClaim(Counter, 3, writer));

        await store.MergeAsync(new EntryData(Counter, EntryKind.Counter, Count: 7));
        await store.MergeAsync(new EntryData(Counter, EntryKind.Counter, Count: 2));

        Assert.Equal(7, store.Find(Counter)!.Count);
        // The merge named no writer, so even the claim that may have produced 7 is not acknowledged here.
        Assert.False((await store.ClaimAsync(new CounterClaim(Counter, 7, writer))).Accepted);
        Assert.True((await store.ClaimAsync(new CounterClaim(Counter, 8, writer))).Accepted);
    }

    [Fact]
    public async Task A_primary_whose_value_a_replica_refuses_skips_it_and_hands_out_a_higher_one()
    {
        var self = NodeRef.ForUrl("http://primary");
        NodeRef[] replicas = [NodeRef.ForUrl("http://s1"), NodeRef.ForUrl("http://s2")];
        var rig = new StorageRig(self, replicas, new StorageSettings { Replicas = 3, RetryDelay = TimeSpan.FromMilliseconds(5) });
        var s1 = new LocalStore();
        var s2 = new LocalStore();
        rig.Transport.Stores[replicas[0].Id] = s1;
        rig.Transport.Stores[replicas[1].Id] = s2;
        // Another primary already took 1 at the first replica; its copy is not seen by this one's catch-up.
        await s1.ClaimAsync(new CounterClaim(Counter, 1, new CounterWriter(Id160.Hash("other"), 9)));

        var result = await rig.Primary.ApplyAsPrimaryAsync(Increment);

        Assert.Equal(2, result.Count);
        Assert.Equal(2, s1.Find(Counter)!.Count);
        Assert.Equal(2, s2.Find(Counter)!.Count);
        Assert.Equal(2, rig.Store.Find(Counter)!.Count);
    }

    [Fact]
    public async Task An_increment_refused_in_every_round_fails_as_unavailable_and_hands_out_none_of_its_values()
    {
        var self = NodeRef.ForUrl("http://primary");
        NodeRef[] replicas = [NodeRef.ForUrl("http://s1"), NodeRef.ForUrl("http://s2")];
        var rig = new StorageRig(self, replicas, new StorageSettings { Replicas = 3, RetryDelay = TimeSpan.FromMilliseconds(5) });
        var s1 = new LocalStore();
        rig.Transport.Stores[replicas[0].Id] = s1;
        // Another primary always takes the same value at the first replica just before this one's claim arrives.
        var other = new CounterWriter(Id160.Hash("other"), 1);
        var taken = new List<long>();
        rig.Transport.BeforeClaim = async (target, claim) =>
        {
            if (target != replicas[0]) return;
            await s1.ClaimAsync(claim with { Writer = other with { Nonce = claim.Value } });
            lock (taken) taken.Add(claim.Value);
        };

        await Assert.ThrowsAsync<DhtUnavailableException>(() => rig.Primary.ApplyAsPrimaryAsync(Increment));

        Assert.Equal(8, taken.Count);
        // The next increment, once nobody competes, starts above every value the other writer took.
        rig.Transport.BeforeClaim = null;
        Assert.Equal(taken.Max() + 1, (await rig.Primary.ApplyAsPrimaryAsync(Increment)).Count);
    }

    [Fact]
    public async Task A_counter_stored_before_writers_existed_loads_and_goes_on_from_its_value()
    {
        var directory = Directory.CreateTempSubdirectory("bt-store-").FullName;
        try
        {
            SqlitePersistence.Open(directory, NullLogger.Instance).Dispose();
            // The row as a node wrote it before claims named writers: the key, its kind and the count.
            using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, SqlitePersistence.FileName)};Pooling=False"))
            {
                connection.Open();
                using var insert = connection.CreateCommand();
                insert.CommandText = $"INSERT INTO entries (key, kind, value, version, count) VALUES ('{Counter}', {(int)EntryKind.Counter}, NULL, 0, 41)";
                insert.ExecuteNonQuery();
            }

            using var disk = SqlitePersistence.Open(directory, NullLogger.Instance);
            var store = new LocalStore(disk);

            Assert.Equal(41, store.Find(Counter)!.Count);
            // Whoever took 41 is unknown here, so no claim of it is acknowledged; the next value is.
            Assert.False((await store.ClaimAsync(new CounterClaim(Counter, 41, new CounterWriter(Id160.Hash("a"), 1)))).Accepted);
            var (next, durable) = store.Increment(Counter, new CounterWriter(Id160.Hash("a"), 2));
            await durable;
            Assert.Equal(42, next);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
