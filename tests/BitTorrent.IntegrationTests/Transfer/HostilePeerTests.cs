using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

/// <summary>
/// A hand-written peer on raw sockets breaks the protocol in several ways; each time only its own
/// connection is closed and the engine goes on serving others.
/// </summary>
public class HostilePeerTests
{
    [Fact]
    public async Task Garbage_instead_of_a_handshake_closes_only_that_connection()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 2L * TorrentMetainfo.MinPieceLength);
        using var bystander = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await bystander.HandshakeAsync(torrent.InfoHash);

        using var hostile = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await hostile.SendAsync(Encoding.ASCII.GetBytes("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n" + new string('A', 100)));

        await hostile.AssertClosedAsync();
        await bystander.AssertOpenAsync();
        await AssertStillServesAsync(kit, seeder, torrent, source);
    }

    [Fact]
    public async Task A_request_outside_the_file_closes_only_that_connection()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", TorrentMetainfo.MinPieceLength + 10);
        using var hostile = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await hostile.HandshakeAsync(torrent.InfoHash);
        await hostile.SendAsync(State(MessageType.Interested));
        await hostile.ReadUntilAsync(MessageType.Unchoke);

        await hostile.SendAsync(Request(index: 1, begin: 0, length: 16384)); // piece 1 is only 10 bytes

        await hostile.AssertClosedAsync();
        await AssertStillServesAsync(kit, seeder, torrent, source);
    }

    [Fact]
    public async Task An_honest_request_is_served_to_the_raw_peer()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 40_000);
        using var peer = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await peer.HandshakeAsync(torrent.InfoHash);
        await peer.SendAsync(State(MessageType.Interested));
        await peer.ReadUntilAsync(MessageType.Unchoke);

        await peer.SendAsync(Request(index: 0, begin: 16384, length: 16384));
        var piece = await peer.ReadUntilAsync(MessageType.Piece);

        Assert.Equal(16384, piece.Length - 9);
        Assert.Equal(File.ReadAllBytes(source).AsSpan(16384, 16384).ToArray(), piece.AsSpan(9).ToArray());
    }

    [Theory]
    [InlineData("oversized")]
    [InlineData("big-request")]
    [InlineData("bad-have")]
    [InlineData("unknown-torrent")]
    public async Task Malformed_messages_close_only_that_connection(string kind)
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 3L * TorrentMetainfo.MinPieceLength);
        using var hostile = await RawPeer.ConnectAsync(seeder.LocalEndPoint);
        await hostile.HandshakeAsync(kind == "unknown-torrent" ? Id160.Hash("no such torrent") : torrent.InfoHash, expectReply: kind != "unknown-torrent");

        switch (kind)
        {
            case "oversized":
                var header = new byte[5];
                BinaryPrimitives.WriteInt32BigEndian(header, 1 << 20);
                header[4] = (byte)MessageType.Piece;
                await hostile.SendAsync(header);
                break;
            case "big-request":
                await hostile.SendAsync(Request(index: 0, begin: 0, length: 65536));
                break;
            case "bad-have":
                var have = new byte[9];
                MessageWriter.WriteHave(have, 3);
                await hostile.SendAsync(have);
                break;
        }

        await hostile.AssertClosedAsync();
        await AssertStillServesAsync(kit, seeder, torrent, source);
    }

    private static async Task AssertStillServesAsync(TransferTestKit kit, TransferEngine seeder, TorrentMetainfo torrent, string source)
    {
        var leecher = kit.StartEngine("leecher-" + Guid.NewGuid().ToString("N")[..6]);
        var target = kit.PathOf($"leecher-{Guid.NewGuid():N}/data.bin");
        await leecher.StartDownloadAsync(torrent, target, EndPoints(seeder));
        await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed);
        Assert.Equal(Sha256(source), Sha256(target));
    }

    private static byte[] State(MessageType type)
    {
        var bytes = new byte[5];
        MessageWriter.WriteState(bytes, type);
        return bytes;
    }

    private static byte[] Request(int index, int begin, int length)
    {
        var bytes = new byte[MessageWriter.RequestLength];
        MessageWriter.WriteRequest(bytes, index, begin, length);
        return bytes;
    }

    /// <summary>A minimal peer speaking raw bytes, with timeouts on every read.</summary>
    private sealed class RawPeer : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
        private readonly Socket _socket;

        private RawPeer(Socket socket) => _socket = socket;

        public static async Task<RawPeer> ConnectAsync(IPEndPoint endPoint)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint);
            return new RawPeer(socket);
        }

        public async Task HandshakeAsync(Id160 infoHash, bool expectReply = true)
        {
            var handshake = new byte[Handshake.Length];
            Handshake.Write(handshake, infoHash, Encoding.ASCII.GetBytes("-XX0000-hostilepeer1"));
            await SendAsync(handshake);
            if (!expectReply) return;
            var reply = await ReadExactlyAsync(Handshake.Length);
            Assert.Equal(ParseStatus.Message, Handshake.TryRead(reply, out var replyHash, out _));
            Assert.Equal(infoHash, replyHash);
        }

        public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

        /// <summary>Reads messages until one of the given type; returns its body (id and payload).</summary>
        public async Task<byte[]> ReadUntilAsync(MessageType type)
        {
            while (true)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(await ReadExactlyAsync(4));
                if (length == 0) continue;
                var body = await ReadExactlyAsync(length);
                if (body[0] == (byte)type) return body;
            }
        }

        public async Task AssertClosedAsync()
        {
            var buffer = new byte[4096];
            using var cancel = new CancellationTokenSource(Timeout);
            try
            {
                while (await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
                {
                    // drain whatever the engine sent before closing
                }
            }
            catch (SocketException)
            {
                // reset by the engine: closed as well
            }
        }

        public async Task AssertOpenAsync()
        {
            // A keep-alive is accepted and nothing closes the connection.
            await SendAsync([0, 0, 0, 0]);
            await Task.Delay(200);
            Assert.True(_socket.Connected);
            Assert.False(_socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0, "the bystander's connection was closed");
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            var buffer = new byte[count];
            using var cancel = new CancellationTokenSource(Timeout);
            var read = 0;
            while (read < count)
            {
                var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancel.Token);
                if (n == 0) throw new EndOfStreamException("the engine closed the connection");
                read += n;
            }
            return buffer;
        }

        public void Dispose() => _socket.Dispose();
    }
}
