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
        // Reserved bytes: only BEP 10's extension bit (0x10 in byte 5) is set.
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0x10, 0, 0 }, buffer[20..28]);
        Assert.True(Handshake.SupportsExtensions(buffer));
        Assert.Equal(ParseStatus.Message, Handshake.TryRead(buffer, out var readHash, out var readPeer));
        Assert.Equal(infoHash, readHash);
        Assert.Equal(peerId, readPeer.ToArray());
    }

    [Fact]
    public void A_handshake_without_the_extension_bit_does_not_support_extensions()
    {
        var buffer = new byte[Handshake.Length];
        Handshake.Write(buffer, Id160.Hash("x"), PeerIdentity.Create());
        buffer[25] = 0x01; // another reserved bit (BEP 5's DHT is in byte 7; this one is unassigned)

        Assert.Equal(ParseStatus.Message, Handshake.TryRead(buffer, out _, out _));
        Assert.False(Handshake.SupportsExtensions(buffer));
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
