using System.Net;
using System.Net.Sockets;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The peer wire listener: bound to the configured port, or to the first free one in the range,
/// non-blocking so the select loop accepts only when a connection waits.
/// </summary>
internal sealed class PeerListener : IDisposable
{
    private PeerListener(Socket socket) => Socket = socket;

    public Socket Socket { get; }
    public IPEndPoint LocalEndPoint => (IPEndPoint)Socket.LocalEndPoint!;

    public static PeerListener Bind(TransferEngineOptions options)
    {
        var address = IPAddress.Parse(options.BindAddress);
        if (options.Port != 0) return new PeerListener(TryBind(address, options.Port) ?? throw new SocketException((int)SocketError.AddressAlreadyInUse));
        for (var port = options.PortRangeStart; port <= options.PortRangeEnd; port++)
            if (TryBind(address, port) is { } socket) return new PeerListener(socket);
        throw new InvalidOperationException($"No free port in {options.PortRangeStart}-{options.PortRangeEnd} on {address}.");
    }

    /// <summary>The next waiting connection, or null when none waits (or accepting failed: <paramref name="error"/>).</summary>
    public Socket? TryAccept(out SocketError error)
    {
        error = SocketError.Success;
        try
        {
            return Socket.Accept();
        }
        catch (SocketException e)
        {
            if (e.SocketErrorCode != SocketError.WouldBlock) error = e.SocketErrorCode;
            return null;
        }
    }

    private static Socket? TryBind(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(128);
            socket.Blocking = false;
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            socket.Dispose();
            return null;
        }
    }

    public void Dispose() => Socket.Dispose();
}
