using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;

namespace BitTorrent.UnitTests.ChordNode.Storage;

public sealed class DhtRouterTests
{
    private static readonly HybridClock Clock = new(TimeProvider.System);

    [Fact]
    public async Task A_read_that_misses_at_a_node_not_sure_it_owns_the_key_is_answered_by_the_next_holder()
    {
        var (self, first, second) = (NodeRef.ForUrl("http://self"), NodeRef.ForUrl("http://first"), NodeRef.ForUrl("http://second"));
        var settings = new StorageSettings { ArcSettleTime = TimeSpan.FromSeconds(1) };
        var rig = new StorageRig(self, [first, second], settings);
        // The lookup names "first" as the successor; it has just restarted with an empty store and no
        // predecessor yet, while "second" (the next holder) has the key.
        var firstRig = new StorageRig(first, [second], settings);
        var secondRig = new StorageRig(second, [self], settings);
        await secondRig.Store.Put("torrent/t", [7], Clock.Next()).Durable;
        rig.Transport.Primaries[first.Id] = firstRig.Primary;
        rig.Transport.Primaries[second.Id] = secondRig.Primary;
        rig.Transport.Lookup = _ => LookupStep.Answer(first, [second]);

        Assert.Equal([7], await rig.Router.GetAsync("torrent/t"));
        // A key no holder has is missing, not an error, once the holders had time to settle.
        Assert.Null(await rig.Router.GetAsync("torrent/none"));
    }
}
