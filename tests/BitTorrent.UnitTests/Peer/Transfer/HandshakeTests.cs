using System.Text;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.Peer.Transfer;

public class HandshakeTests
{
    [Fact]
    public void Handshake_round_trips_with_info_hash_and_peer_id()
    {
        var infoHash = Id160.Hash("some torrent");
        var peerId = PeerIdentity.Create();
        var buffer = new byte[Handshake.Length];

        Handshake.Write(buffer, infoHash, peerId);

        Assert.Equal(19, buffer[0]);
        Assert.Equal("BitTorrent protocol", Encoding.ASCII.GetString(buffer, 1, 19));
        Assert.All(buffer[20..28], b => Assert.Equal(0, b));
        Assert.Equal(ParseStatus.Message, Handshake.TryRead(buffer, out var readHash, out var readPeer));
        Assert.Equal(infoHash, readHash);
        Assert.Equal(peerId, readPeer.ToArray());
    }

    [Fact]
    public void A_partial_handshake_needs_more_data()
    {
        var buffer = new byte[Handshake.Length];
        Handshake.Write(buffer, Id160.Hash("x"), PeerIdentity.Create());

        Assert.Equal(ParseStatus.NeedMoreData, Handshake.TryRead(buffer.AsSpan(0, 67), out _, out _));
        Assert.Equal(ParseStatus.NeedMoreData, Handshake.TryRead(buffer.AsSpan(0, 5), out _, out _));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("\u0013BitTorrent protocoX")]
    [InlineData("\u0012")]
    public void Garbage_is_malformed_from_its_first_bytes(string garbage)
    {
        Assert.Equal(ParseStatus.Malformed, Handshake.TryRead(Encoding.Latin1.GetBytes(garbage), out _, out _));
    }

    [Fact]
    public void Peer_id_is_20_bytes_with_client_prefix_and_random_bytes_new_each_time()
    {
        var peerId = PeerIdentity.Create();
        var another = PeerIdentity.Create();

        Assert.Equal(20, peerId.Length);
        Assert.Equal("-DD0100-", Encoding.ASCII.GetString(peerId, 0, 8));
        Assert.NotEqual(peerId[8..], another[8..]); // 96 random bits: equal only by a bug
        Assert.Equal(PeerIdentity.Key(peerId), PeerIdentity.Key(peerId.ToArray()));
        Assert.NotEqual(PeerIdentity.Key(peerId), PeerIdentity.Key(another));
    }
}
