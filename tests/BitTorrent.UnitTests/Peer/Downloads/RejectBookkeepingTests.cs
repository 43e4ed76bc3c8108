using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Logging.Abstractions;

namespace BitTorrent.UnitTests.Peer.Downloads;

/// <summary>
/// BEP 6's rejects as a download keeps them: a rejected block is requested again at once, a choked attendant's
/// transaction goes back to the picker when its last outstanding block is rejected, and a peer with a short queue
/// gets fewer requests at once.
/// </summary>
public class RejectBookkeepingTests
{
    [Fact]
    public void A_rejected_block_is_requested_again_first_and_only_a_block_in_flight_can_be_rejected()
    {
        using var fixture = new PieceTransactionTests.TransactionFixture(pieceSize: 40_000);
        var transaction = fixture.Transaction;
        transaction.TakeNextBlock();
        transaction.TakeNextBlock();
        Assert.Equal(0, transaction.TryAccept(0, 16384));

        Assert.False(transaction.Unrequest(0, 16384));             // received already
        Assert.False(transaction.Unrequest(32768, 40_000 - 32768)); // never requested
        Assert.True(transaction.Unrequest(16384, 16384));
        Assert.False(transaction.Unrequest(16384, 16384));          // rejected twice

        Assert.Equal(0, transaction.Outstanding);
        Assert.False(transaction.AllRequested);
        Assert.Equal((16384, 16384), transaction.TakeNextBlock());
        Assert.Equal((32768, 40_000 - 32768), transaction.TakeNextBlock());
        Assert.True(transaction.AllRequested);
    }

    [Fact]
    public void A_fast_connection_forgets_a_request_once_answered_and_knows_one_it_never_sent()
    {
        var fast = new FastExtensionState();
        fast.Requested(1, 0, 16384);

        Assert.False(fast.Answered(1, 16384, 16384));
        Assert.True(fast.Answered(1, 0, 16384));
        Assert.False(fast.Answered(1, 0, 16384));
        Assert.Equal(0, fast.PendingRequests);
    }

    [Fact]
    public void A_choked_attendants_piece_goes_back_to_the_picker_when_its_last_outstanding_block_is_rejected()
    {
        using var fixture = new WindowFixture(maxRequests: 4);
        fixture.Fill();
        var a = fixture.Attendant;
        var transaction = Assert.Single(a.Transactions);
        Assert.Equal(4, a.OutstandingRequests);
        Assert.Equal(4, fixture.SentRequests().Count);

        a.Connection.PeerChoking = true;
        Assert.False(fixture.Window.OnFastChoke(a)); // requests are out: wait for the rejects
        for (var block = 0; block < 3; block++) Assert.False(fixture.Window.OnReject(a, 0, block * 16384, 16384, now: 1));
        Assert.Equal(PieceStatus.InFlight, transaction.Piece.Status);

        Assert.True(fixture.Window.OnReject(a, 0, 3 * 16384, 16384, now: 1));

        Assert.Empty(a.Transactions);
        Assert.Equal(0, a.OutstandingRequests);
        Assert.Equal(PieceStatus.Missing, transaction.Piece.Status);
        Assert.Equal(0, fixture.Window.Count);
        Assert.False(fixture.Window.OnReject(a, 0, 0, 16384, now: 1)); // a late answer to a given-up piece changes nothing
    }

    [Fact]
    public void An_unchoked_attendant_that_rejects_gets_fewer_requests_at_once_and_the_block_is_asked_again()
    {
        using var fixture = new WindowFixture(maxRequests: 8);
        fixture.Fill();
        var a = fixture.Attendant;
        var transaction = Assert.Single(a.Transactions);
        fixture.SentRequests();

        // Its queue holds 5: the last three requests come back rejected.
        for (var block = 5; block < 8; block++) Assert.False(fixture.Window.OnReject(a, 0, block * 16384, 16384, now: 1));

        Assert.Equal(5, a.OutstandingRequests);
        Assert.Equal(5, a.RequestLimit);
        Assert.Equal(5, transaction.NextBlock);
        fixture.Window.RequestBlocks(a, now: 2);
        Assert.Empty(fixture.SentRequests()); // at its limit: nothing more until a block arrives
        Assert.Same(transaction, Assert.Single(a.Transactions));
        Assert.Equal(PieceStatus.InFlight, transaction.Piece.Status);
    }

    /// <summary>A download's window over a 3-piece torrent with one fast attendant that has everything (requests land in its send buffer).</summary>
    private sealed class WindowFixture : IDisposable
    {
        private readonly TempFolder _folder = new();
        private readonly PeerConnection _connection;
        private readonly ContentFiles _content;
        private int _read;

        public WindowFixture(int maxRequests)
        {
            var source = _folder.WriteRandom("source.bin", 3L * TorrentMetainfo.MinPieceLength);
            Torrent = TorrentMetainfo.CreateFromFile(source, "http://127.0.0.1/announce");
            var options = new TransferEngineOptions { MaxRequestsPerPeer = maxRequests, Window = 1 };
            var context = new DownloadContext(options, new ConnectionTable(options, PeerIdentity.Create()), new BlockWriter(_ => { }, () => { }, options.MaxUnwrittenBytes),
                new DownloadEventHub(), null, new ConcurrentDictionary<Id160, DownloadSnapshot>(), new IPEndPoint(IPAddress.Loopback, 1), NullLogger.Instance);
            Window = new TransactionWindow(context, new RateLimiter());
            _connection = new PeerConnection(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), new IPEndPoint(IPAddress.Loopback, 1),
                outgoing: true, 64 * 1024, 64 * 1024, now: 0)
            {
                Phase = ConnectionPhase.Open,
                PeerChoking = false,
                Fast = new FastExtensionState(),
                RemotePieces = new Bitfield(Torrent.PieceCount),
            };
            _connection.RemotePieces.SetAll();
            Attendant = new Attendant(_connection, known: null);
            Plan = PiecePlan.Create(Torrent.Geometry, new Bitfield(Torrent.PieceCount));
            Plan.AddAvailability(_connection.RemotePieces);
            Swarm = new Swarm(Torrent, source, new Bitfield(Torrent.PieceCount));
            _content = ContentFiles.OpenToDownload(Torrent, _folder.File("target.bin"), truncate: true);
        }

        public TorrentMetainfo Torrent { get; }
        public TransactionWindow Window { get; }
        public Attendant Attendant { get; }
        public PiecePlan Plan { get; }
        public Swarm Swarm { get; }

        public void Fill() => Window.Fill(new PieceTransactionTests.RecordingListener(), 0, Plan, new RarestFirstPicker(0), [Attendant], Swarm, _content, now: 0);

        /// <summary>The requests written to the attendant's send buffer since the last call: (index, begin, length).</summary>
        public List<(int Index, int Begin, int Length)> SentRequests()
        {
            var requests = new List<(int, int, int)>();
            var tail = _connection.GetSendTail(); // the pending bytes sit just before it
            var pending = _connection.SendPending;
            var bytes = new byte[pending];
            // GetSendTail compacted the buffer: the pending bytes start at 0 of the same array.
            System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(tail, out var segment);
            segment.Array.AsSpan(0, pending).CopyTo(bytes);
            for (var at = _read; at + 17 <= pending; at += 17)
            {
                Assert.Equal((byte)MessageType.Request, bytes[at + 4]);
                requests.Add((BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 5)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 9)),
                    BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 13))));
            }
            _read = pending;
            return requests;
        }

        public void Dispose()
        {
            _content.Dispose();
            _connection.Release();
            _folder.Dispose();
        }
    }
}
