using BitTorrent.ChordNode.Storage;

namespace BitTorrent.UnitTests.ChordNode.Storage;

public sealed class StoredEntryTests
{
    private static readonly HybridClock Clock = new(TimeProvider.System);

    [Fact]
    public void Replicas_of_a_set_converge_whatever_order_the_updates_arrive_in()
    {
        var primary = new StoredEntry("swarm/x", EntryKind.Set);
        var deltas = new List<EntryData>
        {
            primary.Update([SetUpdate.Add("a", "1"), SetUpdate.Add("b", "1")], Clock, 0).Delta,
            primary.Update([SetUpdate.Remove("a")], Clock, 0).Delta,
            primary.Update([SetUpdate.Add("b", "2"), SetUpdate.Add("c", "1")], Clock, 0).Delta,
        };

        var forward = new StoredEntry("swarm/x", EntryKind.Set);
        foreach (var d in deltas) forward.Merge(d);
        var backward = new StoredEntry("swarm/x", EntryKind.Set);
        foreach (var d in Enumerable.Reverse(deltas)) backward.Merge(d);
        backward.Merge(deltas[0]); // duplicates are harmless

        Assert.Equal(primary.Digest(), forward.Digest());
        Assert.Equal(primary.Digest(), backward.Digest());
        Assert.Equal(["b=2", "c=1"], backward.LiveMembers(0).Select(m => $"{m.Member}={m.Value}").Order());
    }

    [Fact]
    public void A_sets_digest_depends_only_on_its_state_so_replicas_in_other_processes_agree()
    {
        // Fixed timestamps, so the digest is a constant: it must be the same in every process and every run.
        var entry = new StoredEntry("catalog/0", EntryKind.Set);
        entry.Merge(new EntryData("catalog/0", EntryKind.Set, Members: [new MemberData("a", "1", 1_000, null), new MemberData("b", null, 2_000, null)]));
        Assert.Equal(-0x772F023367BF2A4AL, entry.Digest());

        var tombstoneOnly = new StoredEntry("catalog/0", EntryKind.Set);
        tombstoneOnly.Merge(new EntryData("catalog/0", EntryKind.Set, Members: [new MemberData("a", null, 1_000, null), new MemberData("b", null, 2_000, null)]));
        Assert.NotEqual(entry.Digest(), tombstoneOnly.Digest());
    }

    [Fact]
    public void The_digest_kept_as_members_change_is_the_digest_of_the_state_reached()
    {
        // Adds, replacements, removals, merges of older and newer members, expiry and collection: the primary's digest
        // (kept member by member) must equal that of a replica that received only the final state.
        var primary = new StoredEntry("swarm/z", EntryKind.Set);
        primary.Update([SetUpdate.Add("a", "1", 1_000), SetUpdate.Add("b", "1", 50_000), SetUpdate.Add("c", "1")], Clock, 0);
        primary.Update([SetUpdate.Add("b", "2", 60_000), SetUpdate.Remove("c")], Clock, 0);
        primary.Merge(new EntryData("swarm/z", EntryKind.Set, Members: [new MemberData("d", "1", 5, null), new MemberData("b", "0", 1, 2)]));
        primary.Collect(nowUnixMs: 2_000, tombstoneTtlMs: 500); // "a" expired at 1,000 and is gone; "c"'s tombstone is recent
        Assert.Equal(["b", "c", "d"], primary.Snapshot().Members!.Select(m => m.Member).Order());

        var replica = new StoredEntry("swarm/z", EntryKind.Set);
        replica.Merge(primary.Snapshot());
        Assert.Equal(replica.Digest(), primary.Digest());

        primary.Update([SetUpdate.Add("e", "1")], Clock, 0);
        Assert.NotEqual(replica.Digest(), primary.Digest());
    }

    [Fact]
    public void A_removal_is_a_tombstone_so_an_older_add_arriving_late_does_not_resurrect_the_member()
    {
        var primary = new StoredEntry("name/f", EntryKind.Set);
        var add = primary.Update([SetUpdate.Add("h", "1")], Clock, 0).Delta;
        var remove = primary.Update([SetUpdate.Remove("h")], Clock, 0).Delta;
        var replica = new StoredEntry("name/f", EntryKind.Set);
        replica.Merge(remove);
        replica.Merge(add);
        Assert.Empty(replica.LiveMembers(0));
    }

    [Fact]
    public void Expired_members_are_not_live_and_are_collected_after_the_grace_period()
    {
        var entry = new StoredEntry("swarm/y", EntryKind.Set);
        entry.Update([SetUpdate.Add("old", "x", expiresUnixMs: 1_000), SetUpdate.Add("new", "x", expiresUnixMs: 10_000)], Clock, 0);
        Assert.Equal(["new"], entry.LiveMembers(5_000).Select(m => m.Member));
        entry.Collect(nowUnixMs: 5_000, tombstoneTtlMs: 1_000);
        Assert.Single(entry.Snapshot().Members!);
    }

    [Fact]
    public void Registers_keep_the_highest_version_and_counters_the_highest_count()
    {
        var register = new StoredEntry("torrent/t", EntryKind.Register);
        register.Merge(new EntryData("torrent/t", EntryKind.Register, [2], Version: 20));
        register.Merge(new EntryData("torrent/t", EntryKind.Register, [1], Version: 10));
        Assert.Equal([2], register.Value);

        var counter = new StoredEntry("counter/peer-id", EntryKind.Counter);
        Assert.Equal(1, counter.Increment(CounterWriter.Next(default)).Value);
        counter.Merge(new EntryData("counter/peer-id", EntryKind.Counter, Count: 7));
        counter.Merge(new EntryData("counter/peer-id", EntryKind.Counter, Count: 3));
        Assert.Equal(8, counter.Increment(CounterWriter.Next(default)).Value);
    }

    [Fact]
    public void The_hybrid_clock_never_goes_back_even_when_the_wall_clock_does()
    {
        var time = new SettableTime { Now = DateTimeOffset.FromUnixTimeSeconds(1_000_000) };
        var clock = new HybridClock(time);
        var first = clock.Next();
        time.Now = DateTimeOffset.FromUnixTimeSeconds(999_000);
        Assert.True(clock.Next() > first);
    }

    private sealed class SettableTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; }
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
