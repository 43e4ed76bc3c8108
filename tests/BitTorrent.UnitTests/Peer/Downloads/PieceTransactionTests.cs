using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class PieceTransactionTests
{
    [Fact]
    public void Blocks_are_requested_in_order_and_accepted_once()
    {
        using var fixture = new TransactionFixture(pieceSize: 40_000);
        var transaction = fixture.Transaction;

        Assert.Equal(3, transaction.BlockCount);
        Assert.Equal((0, 16384), transaction.TakeNextBlock());
        Assert.Equal((16384, 16384), transaction.TakeNextBlock());

        Assert.Equal(-1, transaction.TryAccept(32768, 40_000 - 32768)); // not requested yet
        Assert.Equal(1, transaction.TryAccept(16384, 16384));
        Assert.Equal(-1, transaction.TryAccept(16384, 16384));          // duplicate
        Assert.Equal(-1, transaction.TryAccept(100, 16384));            // not a block boundary
        Assert.Equal(-1, transaction.TryAccept(0, 100));                // wrong length
        Assert.Equal(1, transaction.Outstanding);
        Assert.Equal([(0, 16384)], transaction.OutstandingBlocks());
    }

    [Fact]
    public void An_abandoned_transaction_refuses_late_blocks()
    {
        using var fixture = new TransactionFixture(pieceSize: 20_000);
        var transaction = fixture.Transaction;
        transaction.TakeNextBlock();
        transaction.TakeNextBlock();
        Assert.Equal(0, transaction.TryAccept(0, 16384));

        transaction.Abandon();

        Assert.Equal(-1, transaction.TryAccept(16384, 20_000 - 16384));
        Assert.False(transaction.IsComplete);
    }

    /// <summary>A one-piece torrent, a transaction for its piece, and what it needs around it.</summary>
    internal sealed class TransactionFixture : IDisposable
    {
        private readonly PeerConnection _connection;

        public TransactionFixture(int pieceSize, byte[]? content = null)
        {
            Content = content ?? new byte[pieceSize];
            Torrent = TorrentMetainfo.Parse(
                new BitTorrent.Shared.Bencode.BDictionary
                {
                    {
                        "info", new BitTorrent.Shared.Bencode.BDictionary
                        {
                            { "length", new BitTorrent.Shared.Bencode.BInteger(pieceSize) },
                            { "name", new BitTorrent.Shared.Bencode.BString("t") },
                            { "piece length", new BitTorrent.Shared.Bencode.BInteger(262144) },
                            { "pieces", new BitTorrent.Shared.Bencode.BString(SHA1.HashData(Content)) },
                        }
                    },
                }.Encode());
            File = new TempFile(pieceSize);
            _connection = new PeerConnection(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp),
                new IPEndPoint(IPAddress.Loopback, 1), outgoing: true, 64 * 1024, 64 * 1024, now: 0);
            Attendant = new Attendant(_connection, known: null);
            var plan = PiecePlan.Create(Torrent.Geometry, new Bitfield(1));
            Transaction = new PieceTransaction(Listener, generation: 0, Torrent, plan.Pieces[0], Attendant, File.Content, now: 0);
        }

        public byte[] Content { get; }
        public TorrentMetainfo Torrent { get; }
        public TempFile File { get; }
        public Attendant Attendant { get; }
        public RecordingListener Listener { get; } = new();
        public PieceTransaction Transaction { get; }

        public void Dispose()
        {
            _connection.Release();
            File.Dispose();
        }
    }

    /// <summary>Records what the block writer reports about pieces.</summary>
    internal sealed class RecordingListener : IPieceListener
    {
        public List<(PieceTransaction Transaction, bool? Valid, string? Failure)> Results { get; } = [];

        public void OnPieceChecked(PieceTransaction transaction, bool valid)
        {
            lock (Results) Results.Add((transaction, valid, null));
        }

        public void OnPieceFailed(PieceTransaction transaction, string reason)
        {
            lock (Results) Results.Add((transaction, null, reason));
        }
    }

    /// <summary>A file of the piece's length, deleted afterwards.</summary>
    internal sealed class TempFile : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), "bt-piece-" + Guid.NewGuid().ToString("N"));

        public TempFile(long length)
        {
            Handle = System.IO.File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
            RandomAccess.SetLength(Handle, length);
            Content = BitTorrent.Peer.Transfer.ContentFiles.Over(Handle, _path);
        }

        public Microsoft.Win32.SafeHandles.SafeFileHandle Handle { get; }

        /// <summary>The file as a torrent's content (it owns the handle).</summary>
        public BitTorrent.Peer.Transfer.ContentFiles Content { get; }

        public void Dispose() => Content.Dispose();
    }
}
