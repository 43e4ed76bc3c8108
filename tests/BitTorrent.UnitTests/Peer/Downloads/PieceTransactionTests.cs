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
        var (transaction, connection) = NewTransaction(pieceSize: 40_000);
        try
        {
            Assert.Equal(3, transaction.BlockCount);
            Assert.Equal((0, 16384), transaction.TakeNextBlock());
            Assert.Equal((16384, 16384), transaction.TakeNextBlock());

            Assert.False(transaction.TryAccept(32768, new byte[40_000 - 32768])); // not requested yet
            Assert.True(transaction.TryAccept(16384, new byte[16384]));
            Assert.False(transaction.TryAccept(16384, new byte[16384]));          // duplicate
            Assert.False(transaction.TryAccept(100, new byte[16384]));            // not a block boundary
            Assert.False(transaction.TryAccept(0, new byte[100]));                // wrong length
            Assert.Equal(1, transaction.Outstanding);
            Assert.Equal([(0, 16384)], transaction.OutstandingBlocks());
        }
        finally
        {
            transaction.ReleaseHash()?.Dispose();
            connection.Release();
        }
    }

    [Fact]
    public void A_complete_piece_is_checked_against_its_sha1()
    {
        var (transaction, connection) = NewTransaction(pieceSize: 20_000);
        using var file = new TempFile(20_000);
        try
        {
            var content = new byte[20_000];
            new Random(3).NextBytes(content);
            transaction.TakeNextBlock();
            transaction.TakeNextBlock();
            Assert.True(transaction.TryAccept(0, content.AsSpan(0, 16384)));
            Assert.True(transaction.TryAccept(16384, content.AsSpan(16384)));

            Assert.True(transaction.IsComplete);
            Assert.Equal(2, transaction.HashedBlocks); // in order: hashed as they came, nothing read back
            Assert.True(transaction.Verify(SHA1.HashData(content), file.Handle, new byte[16384]));
        }
        finally
        {
            transaction.ReleaseHash()?.Dispose();
            connection.Release();
        }
    }

    [Fact]
    public void A_corrupt_piece_fails_its_sha1()
    {
        var (transaction, connection) = NewTransaction(pieceSize: 20_000);
        using var file = new TempFile(20_000);
        try
        {
            var content = new byte[20_000];
            new Random(3).NextBytes(content);
            var expected = SHA1.HashData(content);
            content[5] ^= 1;
            transaction.TakeNextBlock();
            transaction.TakeNextBlock();
            transaction.TryAccept(0, content.AsSpan(0, 16384));
            transaction.TryAccept(16384, content.AsSpan(16384));

            Assert.False(transaction.Verify(expected, file.Handle, new byte[16384]));
        }
        finally
        {
            transaction.ReleaseHash()?.Dispose();
            connection.Release();
        }
    }

    [Fact]
    public void Blocks_out_of_order_are_hashed_from_the_file_when_the_piece_completes()
    {
        var (transaction, connection) = NewTransaction(pieceSize: 40_000);
        using var file = new TempFile(40_000);
        try
        {
            var content = new byte[40_000];
            new Random(5).NextBytes(content);
            for (var i = 0; i < 3; i++) transaction.TakeNextBlock();
            // The engine writes every accepted block at its offset; the last two come first.
            foreach (var begin in new[] { 32768, 16384, 0 })
            {
                var block = content.AsSpan(begin, Math.Min(16384, content.Length - begin));
                Assert.True(transaction.TryAccept(begin, block));
                RandomAccess.Write(file.Handle, block, begin);
            }

            Assert.Equal(1, transaction.HashedBlocks); // only block 0 could be hashed on arrival
            Assert.True(transaction.Verify(SHA1.HashData(content), file.Handle, new byte[16384]));
        }
        finally
        {
            transaction.ReleaseHash()?.Dispose();
            connection.Release();
        }
    }

    [Fact]
    public void A_released_transaction_refuses_blocks_and_its_hash_starts_clean()
    {
        var (transaction, connection) = NewTransaction(pieceSize: 20_000);
        try
        {
            transaction.TakeNextBlock();
            Assert.True(transaction.TryAccept(0, new byte[16384]));
            using var hash = transaction.ReleaseHash()!;
            Assert.Null(transaction.ReleaseHash());
            transaction.TakeNextBlock();
            Assert.False(transaction.TryAccept(16384, new byte[20_000 - 16384]));
            Assert.Equal(SHA1.HashData([]), hash.GetHashAndReset()); // the half-fed state was dropped
        }
        finally
        {
            connection.Release();
        }
    }

    /// <summary>A file of the piece's length, deleted afterwards.</summary>
    private sealed class TempFile : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), "bt-piece-" + Guid.NewGuid().ToString("N"));

        public TempFile(long length)
        {
            Handle = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
            RandomAccess.SetLength(Handle, length);
        }

        public Microsoft.Win32.SafeHandles.SafeFileHandle Handle { get; }

        public void Dispose() => Handle.Dispose();
    }

    private static (PieceTransaction, PeerConnection) NewTransaction(int pieceSize)
    {
        var bytes = new byte[pieceSize];
        var torrent = TorrentMetainfo.Parse(
            new BitTorrent.Shared.Bencode.BDictionary
            {
                {
                    "info", new BitTorrent.Shared.Bencode.BDictionary
                    {
                        { "length", new BitTorrent.Shared.Bencode.BInteger(pieceSize) },
                        { "name", new BitTorrent.Shared.Bencode.BString("t") },
                        { "piece length", new BitTorrent.Shared.Bencode.BInteger(262144) },
                        { "pieces", new BitTorrent.Shared.Bencode.BString(SHA1.HashData(bytes)) },
                    }
                },
            }.Encode());
        var download = new Download(torrent, "/tmp/t", new Bitfield(1), DateTimeOffset.UtcNow);
        var connection = new PeerConnection(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp),
            new IPEndPoint(IPAddress.Loopback, 1), outgoing: true, 64 * 1024, 64 * 1024, now: 0);
        return (new PieceTransaction(download, download.Plan.Pieces[0], connection, IncrementalHash.CreateHash(HashAlgorithmName.SHA1), now: 0), connection);
    }
}
