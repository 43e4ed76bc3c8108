using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.IntegrationTests.Transfer;

/// <summary>A minimal peer speaking raw bytes, with timeouts on every read.</summary>
internal sealed class RawPeer : IDisposable
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

    /// <summary>Wraps a connection the engine dialled (the raw peer in the listening role).</summary>
    public static RawPeer Accepted(Socket socket) => new(socket);

    /// <summary>Sends our handshake (with BEP 6's bit if <paramref name="fast"/>) and reads the engine's; returns the engine's.</summary>
    public async Task<byte[]> HandshakeAsync(Id160 infoHash, bool expectReply = true, bool fast = false)
    {
        var handshake = new byte[Handshake.Length];
        // A peer id of its own: two raw peers with one id would be one peer connected twice.
        Handshake.Write(handshake, infoHash, Encoding.ASCII.GetBytes("-XX0000-" + Guid.NewGuid().ToString("N")[..12]), fast);
        await SendAsync(handshake);
        if (!expectReply) return [];
        var reply = await ReadExactlyAsync(Handshake.Length);
        Assert.Equal(ParseStatus.Message, Handshake.TryRead(reply, out var replyHash, out _));
        Assert.Equal(infoHash, replyHash);
        return reply;
    }

    /// <summary>The next message's body if one starts arriving within <paramref name="wait"/> (empty for a keep-alive), else null.</summary>
    public async Task<byte[]?> TryReadMessageAsync(TimeSpan wait)
    {
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (_socket.Available == 0)
        {
            if (Environment.TickCount64 >= deadline) return null;
            await Task.Delay(2);
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(await ReadExactlyAsync(4));
        return length == 0 ? [] : await ReadExactlyAsync(length);
    }

    /// <summary>Reads the next message that is not a keep-alive; returns its body (id and payload).</summary>
    public async Task<byte[]> ReadMessageAsync()
    {
        while (true)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(await ReadExactlyAsync(4));
            if (length > 0) return await ReadExactlyAsync(length);
        }
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

    public async Task<byte[]> ReadExactlyAsync(int count)
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
