using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.IntegrationTests.Transfer;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Robustness;

/// <summary>
/// Hostile connections on the wire listener: a flood from one address, silent handshakes, connections
/// that only send keep-alives and a peer that sits on an upload slot lose only themselves; a real
/// download from another address completes meanwhile and afterwards.
/// </summary>
[Collection(Alone.Name)]
[Trait(Alone.Trait, Alone.Value)]
public class WireFloodTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.5");

    [Fact]
    public async Task Two_hundred_connections_from_one_address_and_a_silent_handshake_leave_a_real_download_from_another_address_complete()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 4L * 1024 * 1024, o => o.UploadRateLimit = 4 * 1024 * 1024);
        var leecher = kit.StartEngine("leecher");
        var flood = new List<Socket>();
        try
        {
            // 200 connections from 127.0.0.5: one sends half a handshake and stops, half of the rest a whole one.
            for (var i = 0; i < 200; i++) flood.Add(await ConnectFromAsync(Attacker, seeder.LocalEndPoint));
            await flood[0].SendAsync(HandshakeFor(torrent.InfoHash, 0).AsMemory(0, 30), SocketFlags.None);
            for (var i = 1; i < 200; i += 2) await flood[i].SendAsync(HandshakeFor(torrent.InfoHash, i), SocketFlags.None);

            var target = kit.PathOf("leecher/files/data.bin");
            await leecher.StartDownloadAsync(torrent, target, EndPoints(seeder));
            await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(60));
            Assert.Equal(Sha256(source), Sha256(target));

            // At most 8 handshaking and 8 open for the torrent from that address were kept; the silent
            // handshake and the rest are closed once the handshake deadline (3 s here) has passed.
            await Task.Delay(TimeSpan.FromSeconds(4));
            var open = flood.Count(IsOpen);
            Assert.InRange(open, 1, 8);
            Assert.False(IsOpen(flood[0]), "the silent handshake is still open");
        }
        finally
        {
            foreach (var s in flood) s.Dispose();
        }
        await AssertStillServesAsync(kit, seeder, torrent, source);
    }

    [Fact]
    public async Task An_open_connection_that_sends_only_keep_alives_is_closed_after_the_idle_timeout()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 300_000, o => o.IdleTimeout = TimeSpan.FromSeconds(3));
        using var talker = await ConnectFromAsync(Attacker, seeder.LocalEndPoint);
        await talker.SendAsync(HandshakeFor(torrent.InfoHash, 1), SocketFlags.None);

        // One keep-alive every 500 ms for 6 s: twice the idle timeout.
        var closedAfter = TimeSpan.Zero;
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(6))
        {
            try
            {
                await talker.SendAsync(new byte[4], SocketFlags.None);
            }
            catch (SocketException)
            {
                break;
            }
            await Task.Delay(500);
            if (!IsOpen(talker))
            {
                closedAfter = DateTime.UtcNow - started;
                break;
            }
        }

        Assert.False(IsOpen(talker), "keep-alives kept the connection open");
        Assert.InRange(closedAfter, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));
        await AssertStillServesAsync(kit, seeder, torrent, source);
    }

    [Fact]
    public async Task A_peer_that_holds_the_only_upload_slot_without_asking_is_closed_and_the_slot_goes_to_one_that_waits()
    {
        await using var kit = new TransferTestKit();
        var (seeder, torrent, source) = await kit.StartSeederAsync("seeder", 300_000, o =>
        {
            o.MaxUnchokedPeers = 1;
            o.IdleUploadTimeout = TimeSpan.FromSeconds(2);
        });
        using var squatter = await ConnectFromAsync(Attacker, seeder.LocalEndPoint);
        await squatter.SendAsync(HandshakeFor(torrent.InfoHash, 1), SocketFlags.None);
        await squatter.SendAsync(State(MessageType.Interested), SocketFlags.None);
        await ReadUntilAsync(squatter, MessageType.Unchoke, TimeSpan.FromSeconds(5));

        using var waiting = await ConnectFromAsync(IPAddress.Parse("127.0.0.6"), seeder.LocalEndPoint);
        await waiting.SendAsync(HandshakeFor(torrent.InfoHash, 2), SocketFlags.None);
        await waiting.SendAsync(State(MessageType.Interested), SocketFlags.None);

        // The squatter keeps the connection warm with keep-alives but never requests a block.
        using var keepAlives = new CancellationTokenSource();
        var warm = Task.Run(async () =>
        {
            while (!keepAlives.IsCancellationRequested)
            {
                try
                {
                    await squatter.SendAsync(new byte[4], SocketFlags.None);
                    await Task.Delay(300, keepAlives.Token);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
        await ReadUntilAsync(waiting, MessageType.Unchoke, TimeSpan.FromSeconds(10));
        await keepAlives.CancelAsync();
        await warm;

        Assert.False(IsOpen(squatter), "the squatter still holds its connection");
        await AssertStillServesAsync(kit, seeder, torrent, source);
    }

    private static async Task AssertStillServesAsync(TransferTestKit kit, TransferEngine seeder, TorrentMetainfo torrent, string source)
    {
        var leecher = kit.StartEngine("after-" + Guid.NewGuid().ToString("N")[..6]);
        var target = kit.PathOf($"after-{Guid.NewGuid():N}/data.bin");
        await leecher.StartDownloadAsync(torrent, target, EndPoints(seeder));
        await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(60));
        Assert.Equal(Sha256(source), Sha256(target));
    }

    private static async Task<Socket> ConnectFromAsync(IPAddress from, IPEndPoint to)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(from, 0));
        await socket.ConnectAsync(to);
        return socket;
    }

    private static byte[] HandshakeFor(Id160 infoHash, int n)
    {
        var handshake = new byte[Handshake.Length];
        Handshake.Write(handshake, infoHash, Encoding.ASCII.GetBytes($"-XX0000-flood{n:D7}"));
        return handshake;
    }

    private static byte[] State(MessageType type)
    {
        var bytes = new byte[5];
        MessageWriter.WriteState(bytes, type);
        return bytes;
    }

    /// <summary>Open: the engine neither closed nor reset it (a closed socket reads as end of stream at once).</summary>
    private static bool IsOpen(Socket socket)
    {
        try
        {
            if (!socket.Poll(0, SelectMode.SelectRead)) return true;
            if (socket.Available > 0)
            {
                socket.Receive(new byte[socket.Available]); // what the engine sent (its handshake, a bitfield)
                return !socket.Poll(0, SelectMode.SelectRead) || socket.Available > 0;
            }
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Reads the handshake reply, then messages until one of <paramref name="type"/>.</summary>
    private static async Task ReadUntilAsync(Socket socket, MessageType type, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await ReadExactlyAsync(socket, Handshake.Length, cancel.Token);
        while (true)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(await ReadExactlyAsync(socket, 4, cancel.Token));
            if (length == 0) continue;
            var body = await ReadExactlyAsync(socket, length, cancel.Token);
            if (body[0] == (byte)type) return;
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            if (n == 0) throw new EndOfStreamException("the engine closed the connection");
            read += n;
        }
        return buffer;
    }
}
