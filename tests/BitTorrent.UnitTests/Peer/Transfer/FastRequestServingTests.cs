using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Transfer;

/// <summary>
/// The serving side of BEP 6: a request we will not serve is rejected (not dropped) on a fast connection, requests
/// for pieces we allowed fast are served while we choke, and choking rejects the queue but the allowed-fast ones.
/// </summary>
public class FastRequestServingTests
{
    private const int Pieces = 40;

    [Fact]
    public void A_choked_fast_peer_gets_a_reject_except_for_a_piece_we_allowed_it_fast()
    {
        var c = Connection(fast: true, haveAll: true);
        using var lease = new Lease(c);
        var server = new BlockServer(new TransferEngineOptions(), new RateLimiter());
        var allowed = c.Fast!.AllowedToPeer[0];
        var other = Enumerable.Range(0, Pieces).First(i => !c.Fast.WeAllow(i));

        server.OnRequest(c, Request(other, 0));
        server.OnRequest(c, Request(allowed, 16384));

        Assert.Equal([(MessageType.RejectRequest, other, 0)], Sent(c));
        Assert.Equal([new BlockRequest(allowed, 16384, 16384)], c.ServeQueue);
    }

    [Fact]
    public void Requests_over_the_queue_bound_or_for_a_piece_we_lack_are_rejected_and_dropped_silently_without_the_extension()
    {
        foreach (var fast in new[] { true, false })
        {
            var c = Connection(fast, haveAll: false);
            using var lease = new Lease(c);
            c.AmChoking = false;
            var server = new BlockServer(new TransferEngineOptions { MaxQueuedRequestsPerPeer = 1 }, new RateLimiter());

            server.OnRequest(c, Request(1, 0));     // we have only piece 0
            server.OnRequest(c, Request(0, 0));     // queued
            server.OnRequest(c, Request(0, 16384)); // over the bound

            Assert.Equal(fast ? [(MessageType.RejectRequest, 1, 0), (MessageType.RejectRequest, 0, 16384)] : [], Sent(c));
            Assert.Single(c.ServeQueue);
        }
    }

    [Fact]
    public void Choking_a_fast_peer_rejects_its_queue_but_the_allowed_fast_requests_and_a_cancel_is_answered_with_a_reject()
    {
        var c = Connection(fast: true, haveAll: true);
        using var lease = new Lease(c);
        c.AmChoking = false;
        var server = new BlockServer(new TransferEngineOptions(), new RateLimiter());
        var allowed = c.Fast!.AllowedToPeer[0];
        var other = Enumerable.Range(0, Pieces).First(i => !c.Fast.WeAllow(i));
        server.OnRequest(c, Request(other, 0));
        server.OnRequest(c, Request(allowed, 0));
        server.OnRequest(c, Request(other, 16384));

        c.AmChoking = true;
        BlockServer.OnChoked(c);
        Assert.Equal([(MessageType.RejectRequest, other, 0), (MessageType.RejectRequest, other, 16384)], Sent(c));
        Assert.Equal([new BlockRequest(allowed, 0, 16384)], c.ServeQueue);

        BlockServer.OnCancel(c, Request(allowed, 0));
        Assert.Equal([(MessageType.RejectRequest, allowed, 0)], Sent(c).Skip(2));
        Assert.Empty(c.ServeQueue);
    }

    private static PeerMessage Request(int index, int begin) => new(MessageType.Request, index, begin, 16384);

    private static PeerConnection Connection(bool fast, bool haveAll)
    {
        var torrent = TorrentMetainfo.Parse(
            new BitTorrent.Shared.Bencode.BDictionary
            {
                {
                    "info", new BitTorrent.Shared.Bencode.BDictionary
                    {
                        { "length", new BitTorrent.Shared.Bencode.BInteger((long)Pieces * 262144) },
                        { "name", new BitTorrent.Shared.Bencode.BString("t") },
                        { "piece length", new BitTorrent.Shared.Bencode.BInteger(262144) },
                        { "pieces", new BitTorrent.Shared.Bencode.BString(new byte[20 * Pieces]) },
                    }
                },
            }.Encode());
        var have = new Bitfield(Pieces);
        if (haveAll) have.SetAll();
        else have.Set(0);
        var c = new PeerConnection(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), new IPEndPoint(IPAddress.Parse("10.1.2.3"), 1),
            outgoing: true, 64 * 1024, 64 * 1024, now: 0)
        {
            Phase = ConnectionPhase.Open,
            Swarm = new Swarm(torrent, "/nowhere", have),
        };
        if (fast)
        {
            c.Fast = new FastExtensionState();
            c.Fast.GrantAllowedFast(c.RemoteEndPoint.Address, torrent.InfoHash, Pieces);
            Assert.Equal(AllowedFastSet.Size, c.Fast.AllowedToPeer.Length);
        }
        return c;
    }

    /// <summary>The messages in the connection's send buffer: (type, index, begin).</summary>
    private static List<(MessageType, int, int)> Sent(PeerConnection c)
    {
        var pending = c.SendPending;
        MemoryMarshal.TryGetArray<byte>(c.GetSendTail(), out var segment);
        var bytes = segment.Array.AsSpan(0, pending);
        var messages = new List<(MessageType, int, int)>();
        for (var at = 0; at < pending;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes[at..]);
            var type = (MessageType)bytes[at + 4];
            messages.Add((type, length >= 5 ? BinaryPrimitives.ReadInt32BigEndian(bytes[(at + 5)..]) : 0, length >= 9 ? BinaryPrimitives.ReadInt32BigEndian(bytes[(at + 9)..]) : 0));
            at += 4 + length;
        }
        return messages;
    }

    /// <summary>Gives the connection's buffers back when the test ends.</summary>
    private sealed class Lease(PeerConnection c) : IDisposable
    {
        public void Dispose() => c.Release();
    }
}
