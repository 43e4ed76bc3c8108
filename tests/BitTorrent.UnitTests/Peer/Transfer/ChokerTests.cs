using System.Net;
using System.Net.Sockets;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.UnitTests.Peer.Transfer;

public class ChokerTests
{
    [Fact]
    public void Interested_peers_are_unchoked_up_to_the_limit_and_a_closed_ones_slot_goes_to_a_waiting_peer()
    {
        var peers = Enumerable.Range(0, 3).Select(_ => OpenConnection()).ToList();
        try
        {
            var choker = new Choker(maxUnchoked: 2);
            foreach (var c in peers) choker.OnInterested(c);

            Assert.Equal([false, false, true], peers.Select(c => c.AmChoking));
            Assert.Equal(2, choker.Unchoked);
            Assert.Equal(5, peers[0].SendPending); // one unchoke message queued

            peers[0].Close("gone");
            choker.OnClosed(peers[0], peers);

            Assert.False(peers[2].AmChoking); // the waiting peer took the slot
            Assert.Equal(2, choker.Unchoked);
        }
        finally
        {
            foreach (var c in peers) c.Release();
        }
    }

    [Fact]
    public void A_peer_that_lost_interest_is_choked_and_its_slot_goes_to_a_waiting_peer()
    {
        var done = OpenConnection();
        var waiting = OpenConnection();
        try
        {
            var choker = new Choker(maxUnchoked: 1);
            choker.OnInterested(done);
            choker.OnInterested(waiting);
            Assert.True(waiting.AmChoking);

            choker.OnNotInterested(done, [done, waiting]);

            Assert.True(done.AmChoking);
            Assert.False(waiting.AmChoking);
            Assert.Equal(1, choker.Unchoked);
            Assert.Equal(10, done.SendPending); // unchoke, then choke
        }
        finally
        {
            done.Release();
            waiting.Release();
        }
    }

    [Fact]
    public void A_peer_that_is_not_interested_is_never_unchoked()
    {
        var c = OpenConnection();
        var other = OpenConnection();
        try
        {
            var choker = new Choker(maxUnchoked: 1);
            choker.OnInterested(other);
            other.Close("gone");
            choker.OnClosed(other, [c, other]);

            Assert.True(c.AmChoking);
            Assert.Equal(0, choker.Unchoked);
        }
        finally
        {
            c.Release();
            other.Release();
        }
    }

    internal static PeerConnection OpenConnection() =>
        new(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), new IPEndPoint(IPAddress.Loopback, 1), outgoing: true, 64 * 1024, 64 * 1024, now: 0)
        {
            Phase = ConnectionPhase.Open,
        };
}
