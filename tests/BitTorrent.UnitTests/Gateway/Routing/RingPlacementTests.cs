using BitTorrent.ChordNode.Tracker;
using BitTorrent.Gateway.Routing;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Tracker;

namespace BitTorrent.UnitTests.Gateway.Routing;

public sealed class RingPlacementTests
{
    [Fact]
    public void The_gateway_picks_the_member_whose_arc_holds_the_swarm_key_as_the_chord_node_computes_it()
    {
        var urls = Enumerable.Range(0, 8).Select(i => $"http://127.0.0.1:{5100 + i}").ToArray();
        var placement = new RingPlacement(urls.Select(u => (Id160.Hash(u), u)));
        var byId = urls.Select(u => (Id: Id160.Hash(u), Url: u)).OrderBy(m => m.Id).ToArray();
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[Id160.ByteLength];
            random.NextBytes(bytes);
            var infoHash = new Id160(bytes);
            var query = "?info_hash=" + string.Concat(bytes.Select(b => $"%{b:X2}")) + "&peer_id=x&port=1";

            // The owner as the ring defines it: the member m with the key id in (predecessor(m), m].
            var keyId = Id160.Hash(TrackerKeys.Swarm(infoHash));
            var owner = byId.Where((m, j) => Id160.InHalfOpen(keyId, byId[(j + byId.Length - 1) % byId.Length].Id, m.Id)).Single().Url;

            Assert.Equal(owner, placement[AnnounceForwarder.FirstChoice(placement, query)]);
        }
    }

    [Fact]
    public void After_the_owner_come_the_next_members_in_ring_order_which_hold_its_replicas()
    {
        var ids = new[] { 10u, 20u, 30u }.Select(v => new Id160(0, 0, v)).ToArray();
        var placement = new RingPlacement(ids.Select((id, i) => (id, $"http://node-{i}")));
        Assert.Equal("http://node-1", placement[placement.SuccessorIndex(new Id160(0, 0, 15))]);
        Assert.Equal("http://node-1", placement[placement.SuccessorIndex(new Id160(0, 0, 20))]);
        Assert.Equal("http://node-0", placement[placement.SuccessorIndex(new Id160(0, 0, 31))]); // wraps
        var first = placement.SuccessorIndex(new Id160(0, 0, 25));
        Assert.Equal(["http://node-2", "http://node-0", "http://node-1"], Enumerable.Range(first, 3).Select(i => placement[i]));
    }

    [Fact]
    public void The_swarm_key_id_is_the_sha1_of_the_key_and_the_first_info_hash_of_a_query_is_found()
    {
        var infoHash = Id160.Hash("some torrent");
        Assert.Equal(Id160.Hash(SwarmKey.Of(infoHash)), SwarmKey.RingId(infoHash));
        Assert.Equal("swarm/" + infoHash, SwarmKey.Of(infoHash));

        Span<byte> bytes = stackalloc byte[Id160.ByteLength];
        infoHash.WriteBigEndian(bytes);
        var encoded = string.Concat(bytes.ToArray().Select(b => $"%{b:x2}"));
        Assert.True(SwarmKey.TryFindInfoHash($"?port=1&info_hash={encoded}&info_hash=%00", out var found));
        Assert.Equal(infoHash, found);
        Assert.False(SwarmKey.TryFindInfoHash("?info_hash=short", out _));
        Assert.False(SwarmKey.TryFindInfoHash("?peer_id=x", out _));
    }
}
