using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

/// <summary>
/// A hand-written seeder on raw sockets answers each batch of requests last block first. The
/// engine writes blocks as they come and hashes the ones that arrived out of order from the file
/// when their piece completes: the file is still right, and a corrupt block among them is still
/// caught and its sender dropped.
/// </summary>
public class OutOfOrderBlocksTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Blocks_answered_in_reverse_order_still_give_the_right_file()
    {
        await using var kit = new TransferTestKit();
        var (torrent, source, content) = MakeTorrent(kit);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var leecher = kit.StartEngine("leecher");
        var target = kit.PathOf("leecher/file.bin");
        await leecher.StartDownloadAsync(torrent, target, [(IPEndPoint)listener.LocalEndpoint]);

        using var seeder = await ReverseSeeder.AcceptAsync(listener, torrent);
        var serving = seeder.ServeAsync(content, corruptBlock: null);
        var done = await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed, Timeout);

        Assert.Equal(0, done.CorruptPieces);
        Assert.Equal(Sha256(source), Sha256(target));
        seeder.Stop();
        await serving;
    }

    [Fact]
    public async Task A_corrupt_block_that_came_out_of_order_is_caught_and_its_sender_dropped()
    {
        await using var kit = new TransferTestKit();
        var (torrent, _, content) = MakeTorrent(kit);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var leecher = kit.StartEngine("leecher");
        await leecher.StartDownloadAsync(torrent, kit.PathOf("leecher/file.bin"), [(IPEndPoint)listener.LocalEndpoint]);

        using var seeder = await ReverseSeeder.AcceptAsync(listener, torrent);
        // The second block of piece 1: it arrives before the first, so it is only hashed from the file.
        var serving = seeder.ServeAsync(content, corruptBlock: (1, PieceGeometry.BlockSize));
        var snapshot = await WaitForAsync(leecher, torrent.InfoHash, s => s.CorruptPieces > 0, Timeout);

        Assert.Equal(1, snapshot.CorruptPieces);
        Assert.NotEqual(DownloadState.Completed, snapshot.State);
        await serving.WaitAsync(Timeout); // the engine closed our connection, which ends the serving loop
        Assert.True(seeder.ClosedByEngine);
    }

    private static (TorrentMetainfo Torrent, string Path, byte[] Content) MakeTorrent(TransferTestKit kit)
    {
        // Three pieces of 256 KiB (16 blocks each) and a short last one.
        var path = kit.WriteRandomFile("seeder/file.bin", 3L * 256 * 1024 + 10_000);
        return (TorrentMetainfo.CreateFromFile(path, "http://127.0.0.1/announce"), path, File.ReadAllBytes(path));
    }

    /// <summary>Seeds over a raw socket: gathers every request it gets, then answers them last first.</summary>
    private sealed class ReverseSeeder : IDisposable
    {
        private readonly Socket _socket;
        private readonly TorrentMetainfo _torrent;
        private readonly CancellationTokenSource _stop = new();

        private ReverseSeeder(Socket socket, TorrentMetainfo torrent)
        {
            _socket = socket;
            _torrent = torrent;
        }

        public bool ClosedByEngine { get; private set; }

        public static async Task<ReverseSeeder> AcceptAsync(TcpListener listener, TorrentMetainfo torrent)
        {
            using var cancel = new CancellationTokenSource(Timeout);
            var socket = await listener.AcceptSocketAsync(cancel.Token);
            var seeder = new ReverseSeeder(socket, torrent);
            await seeder.ReadExactlyAsync(Handshake.Length, cancel.Token);
            var handshake = new byte[Handshake.Length];
            Handshake.Write(handshake, torrent.InfoHash, Encoding.ASCII.GetBytes("-XX0000-reverseseed1"));
            var bits = new Bitfield(torrent.PieceCount);
            bits.SetAll();
            var bitfield = new byte[5 + bits.Bytes.Length];
            MessageWriter.WriteBitfield(bitfield, bits.Bytes);
            var unchoke = new byte[5];
            MessageWriter.WriteState(unchoke, MessageType.Unchoke);
            await socket.SendAsync((byte[])[.. handshake, .. bitfield, .. unchoke], SocketFlags.None);
            return seeder;
        }

        public void Stop() => _stop.Cancel();

        /// <summary>Answers requests until stopped or closed; <paramref name="corruptBlock"/> (piece, begin) goes out with a flipped byte.</summary>
        public async Task ServeAsync(byte[] content, (int Index, int Begin)? corruptBlock)
        {
            var pending = new List<(int Index, int Begin, int Length)>();
            var received = new List<byte>();
            var chunk = new byte[64 * 1024];
            var deadline = DateTime.UtcNow + Timeout;
            try
            {
                while (!_stop.IsCancellationRequested && DateTime.UtcNow < deadline)
                {
                    if (!_socket.Poll(100_000, SelectMode.SelectRead))
                    {
                        // The engine paused: answer what it asked for, last block first.
                        pending.Reverse();
                        foreach (var (index, begin, length) in pending)
                        {
                            var message = new byte[MessageWriter.PieceHeaderLength + length];
                            MessageWriter.WritePieceHeader(message, index, begin, length);
                            content.AsSpan((int)_torrent.Geometry.PieceOffset(index) + begin, length).CopyTo(message.AsSpan(MessageWriter.PieceHeaderLength));
                            if (corruptBlock == (index, begin)) message[^1] ^= 0xff;
                            await _socket.SendAsync(message, SocketFlags.None);
                        }
                        pending.Clear();
                        continue;
                    }
                    var n = await _socket.ReceiveAsync(chunk, SocketFlags.None);
                    if (n == 0) throw new EndOfStreamException("the engine closed the connection");
                    received.AddRange(chunk.AsSpan(0, n));
                    while (received.Count >= 4)
                    {
                        var length = BinaryPrimitives.ReadInt32BigEndian([.. received.GetRange(0, 4)]);
                        if (received.Count < 4 + length) break;
                        var body = received.GetRange(4, length).ToArray();
                        received.RemoveRange(0, 4 + length);
                        if (length > 0 && body[0] == (byte)MessageType.Request)
                            pending.Add((BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(1)), BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(5)), BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(9))));
                    }
                }
            }
            catch (Exception e) when (e is EndOfStreamException or SocketException)
            {
                ClosedByEngine = true;
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            var buffer = new byte[count];
            var read = 0;
            while (read < count)
            {
                var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
                if (n == 0) throw new EndOfStreamException("the engine closed the connection");
                read += n;
            }
            return buffer;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
            _stop.Dispose();
        }
    }
}
