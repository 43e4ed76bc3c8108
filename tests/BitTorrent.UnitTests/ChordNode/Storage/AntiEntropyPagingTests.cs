using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.ChordNode.Storage;

public sealed class AntiEntropyPagingTests
{
    private static readonly HybridClock Clock = new(TimeProvider.System);

    [Fact]
    public async Task A_full_pass_sends_digests_in_bounded_pages_and_the_replica_ends_with_every_key()
    {
        var primary = NodeRef.ForUrl("http://primary");
        var replica = NodeRef.ForUrl("http://replica");
        var settings = new StorageSettings { Replicas = 2, SyncPageKeys = 100 };
        var rig = new StorageRig(primary, [replica], settings);
        var other = new StorageRig(replica, [primary], settings);
        rig.Transport.Peers[replica.Id] = other.AntiEntropy;
        rig.Transport.Stores[replica.Id] = other.Store;
        for (var i = 0; i < 1050; i++) await rig.Store.Put($"torrent/{i}", [(byte)i], Clock.Next()).Durable;

        await rig.AntiEntropy.SyncWithAsync(replica, [.. rig.Store.Entries]);

        Assert.Equal(11, rig.Transport.SyncPages.Count);
        Assert.All(rig.Transport.SyncPages, count => Assert.InRange(count, 1, 100));
        Assert.Equal(1050, other.Store.Count);
        Assert.All(rig.Store.Entries, e => Assert.Equal(e.Digest(), other.Store.Find(e.Key)!.Digest()));
    }

    [Fact]
    public async Task The_answer_to_a_page_carries_at_most_its_byte_budget_of_entries_and_the_rest_follow_in_later_passes()
    {
        var settings = new StorageSettings { PageBytes = 64 * 1024 };
        var receiver = new StorageRig(NodeRef.ForUrl("http://r"), [], settings);
        for (var i = 0; i < 20; i++) await receiver.Store.Put($"torrent/{i}", new byte[30_000], Clock.Next()).Durable;

        var digests = Enumerable.Range(0, 20).Select(i => new KeyDigest($"torrent/{i}", 0)).ToList();
        var reply = receiver.AntiEntropy.HandleSync(digests);

        Assert.Equal(20, reply.Wanted.Count);
        Assert.InRange(reply.Theirs.Count, 1, 3);
        Assert.True(reply.Theirs.Sum(e => e.EstimatedBytes()) <= settings.PageBytes + 41_000);
    }

    [Fact]
    public void More_digests_than_a_page_are_refused()
    {
        var receiver = new StorageRig(NodeRef.ForUrl("http://r"), []);
        var digests = Enumerable.Range(0, StorageSettings.MaxSyncPageKeys + 1).Select(i => new KeyDigest($"k/{i}", 0)).ToList();
        Assert.Throws<ArgumentException>(() => receiver.AntiEntropy.HandleSync(digests));
    }

    [Fact]
    public async Task A_range_is_read_in_pages_that_together_hold_every_key_of_the_arc_once()
    {
        var store = new LocalStore();
        for (var i = 0; i < 500; i++) await store.Put($"torrent/{i}", [1], Clock.Next()).Durable;
        var from = Id160.Hash("from");
        var to = Id160.Hash("to");
        var expected = store.Entries.Where(e => Id160.InHalfOpen(e.KeyId, from, to)).Select(e => e.Key).Order().ToList();

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = store.Range(from, to, after, maxEntries: 37, maxBytes: 1 << 20);
            Assert.InRange(page.Entries.Count, 1, 37);
            seen.AddRange(page.Entries.Select(e => e.Key));
            after = page.Next;
            pages++;
        }
        while (after is not null);

        Assert.Equal(expected, seen.Order());
        Assert.Equal((expected.Count + 36) / 37, pages);
    }
}
