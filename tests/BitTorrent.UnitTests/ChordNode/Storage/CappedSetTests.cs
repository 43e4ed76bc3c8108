using BitTorrent.ChordNode.Storage;

namespace BitTorrent.UnitTests.ChordNode.Storage;

/// <summary>Capped adds (a swarm's bound): a full set refuses new members and writes nothing for them.</summary>
public sealed class CappedSetTests
{
    private static readonly HybridClock Clock = new(TimeProvider.System);

    [Fact]
    public void A_full_set_skips_new_members_but_refreshes_live_ones_and_frees_room_when_one_leaves_or_expires()
    {
        var set = new StoredEntry("swarm/x", EntryKind.Set);
        for (var i = 0; i < 3; i++) set.Update([SetUpdate.AddCapped($"m{i}", "v", 1_000, 3)], Clock, 0);

        var (refused, live, _) = set.Update([SetUpdate.AddCapped("m9", "v", 1_000, 3)], Clock, 0);
        Assert.Empty(refused.Members!);
        Assert.Equal(["m0", "m1", "m2"], live.Select(m => m.Member).Order());

        var (refreshed, _, _) = set.Update([SetUpdate.AddCapped("m1", "w", 2_000, 3)], Clock, 0);
        Assert.Single(refreshed.Members!);

        set.Update([SetUpdate.Remove("m0"), SetUpdate.AddCapped("m9", "v", 1_000, 3), SetUpdate.AddCapped("m8", "v", 1_000, 3)], Clock, 0);
        Assert.Equal(["m1", "m2", "m9"], set.LiveMembers(0).Select(m => m.Member).Order());

        // At t = 1500 m2 and m9 have expired (1000); m1 lives to 2000: room for two.
        set.Update([SetUpdate.AddCapped("a", "v", 3_000, 3), SetUpdate.AddCapped("b", "v", 3_000, 3), SetUpdate.AddCapped("c", "v", 3_000, 3)], Clock, 1_500);
        Assert.Equal(["a", "b", "m1"], set.LiveMembers(1_500).Select(m => m.Member).Order());
    }

    [Fact]
    public void Uncapped_adds_are_unchanged()
    {
        var set = new StoredEntry("name/x", EntryKind.Set);
        for (var i = 0; i < 10; i++) set.Update([SetUpdate.Add($"m{i}", "v")], Clock, 0);
        Assert.Equal(10, set.LiveMembers(0).Count);
    }
}
