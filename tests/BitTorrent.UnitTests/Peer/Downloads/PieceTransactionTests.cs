using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Torrents;
using BitTorrent.Peer.Transfer;

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
            transaction.ReturnBuffer();
            connection.Release();
        }
    }

    [Fact]
    public void A_complete_piece_is_checked_against_its_sha1()
    {
        var (transaction, connection) = NewTransaction(pieceSize: 20_000);
        try
        {
            var content = new byte[20_000];
            new Random(3).NextBytes(content);
            transaction.TakeNextBlock();
            transaction.TakeNextBlock();
            Assert.True(transaction.TryAccept(0, content.AsSpan(0, 16384)));
            Assert.True(transaction.TryAccept(16384, content.AsSpan(16384)));

            Assert.True(transaction.IsComplete);
            Assert.True(transaction.HashMatches(SHA1.HashData(content)));
            content[5] ^= 1;
            Assert.False(transaction.HashMatches(SHA1.HashData(content)));
        }
        finally
        {
            transaction.ReturnBuffer();
            connection.Release();
        }
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
        return (new PieceTransaction(download, download.Plan.Pieces[0], connection, now: 0), connection);
    }
}
