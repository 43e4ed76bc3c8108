using System.Net;
using System.Net.Sockets;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// Every connection of the engine, incoming and outgoing: accepting, dialling (non-blocking
/// connect), the connect and handshake deadlines, idle timeouts and keep-alives, and sweeping
/// closed connections out once the engine has settled what depended on them.
/// </summary>
internal sealed class ConnectionTable(TransferEngineOptions options, ReadOnlyMemory<byte> ourPeerId)
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(60);

    private readonly List<PeerConnection> _all = [];
    private readonly Dictionary<Socket, PeerConnection> _bySocket = new(ReferenceEqualityComparer.Instance);

    public IReadOnlyList<PeerConnection> All => _all;

    /// <summary>The engine's totals; this table keeps the open-connection count, the downloads the rest.</summary>
    public TransferCounters Counters { get; } = new();
    public bool IsFull => _all.Count >= options.MaxConnections;

    /// <summary>Per-address caps, idle rules and bans (see <see cref="ConnectionLimits"/>).</summary>
    public ConnectionLimits Limits { get; } = new(options);

    public PeerConnection? Find(Socket socket) => _bySocket.GetValueOrDefault(socket);

    /// <summary>An accepted socket becomes a connection waiting for the peer's handshake (or is refused: full, banned, too many from its address).</summary>
    public PeerConnection? Accept(Socket socket, long now)
    {
        if (socket.RemoteEndPoint is not IPEndPoint remote || Limits.RefuseAccept(remote.Address, _all, now) is not null)
        {
            socket.Dispose();
            return null;
        }
        Configure(socket);
        var c = new PeerConnection(socket, (IPEndPoint)socket.RemoteEndPoint!, outgoing: false, options.ReceiveBufferSize, options.SendBufferSize, now)
        {
            Phase = ConnectionPhase.Handshaking,
            PhaseDeadline = now + (long)options.ConnectTimeout.TotalMilliseconds,
        };
        Register(c);
        return c;
    }

    /// <summary>Starts a non-blocking connect for a torrent; null when the table is full. It may be closed already if the connect failed at once.</summary>
    public PeerConnection? Dial(Swarm swarm, IPEndPoint endPoint, long now)
    {
        if (IsFull || Limits.IsBanned(endPoint.Address, now)) return null;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Configure(socket);
        var c = new PeerConnection(socket, endPoint, outgoing: true, options.ReceiveBufferSize, options.SendBufferSize, now)
        {
            Phase = ConnectionPhase.Connecting,
            PhaseDeadline = now + (long)options.ConnectTimeout.TotalMilliseconds,
            Swarm = swarm,
        };
        Register(c);
        swarm.Connections.Add(c);
        try
        {
            socket.Connect(endPoint);
            OnConnected(c, now);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.AlreadyInProgress)
        {
            // completes when the socket turns writable
        }
        catch (SocketException e)
        {
            c.Close($"connect failed: {e.SocketErrorCode}");
        }
        return c;
    }

    /// <summary>The socket of a connect in progress turned writable (or errored): connected, or closed with the reason.</summary>
    public void FinishConnect(PeerConnection c, long now)
    {
        // Poll lets the Socket object learn the non-blocking connect finished; SO_ERROR says how.
        c.Socket.Poll(0, SelectMode.SelectWrite);
        var error = c.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) as int? ?? 0;
        if (error != 0) c.Close($"connect failed (error {error})");
        else OnConnected(c, now);
    }

    private void OnConnected(PeerConnection c, long now)
    {
        c.Phase = ConnectionPhase.Handshaking;
        c.PhaseDeadline = now + (long)options.ConnectTimeout.TotalMilliseconds;
        c.SendHandshake(c.Swarm!.InfoHash, ourPeerId.Span, options.FastExtension);
    }

    /// <summary>Connect and handshake deadlines, idle peers and idle upload slots, keep-alives (every tick).</summary>
    public void Tick(long now)
    {
        var othersWaitForSlot = _all.Exists(c => c is { IsOpen: true, AmChoking: true, PeerInterested: true });
        foreach (var c in _all)
        {
            if (c.Phase is ConnectionPhase.Connecting or ConnectionPhase.Handshaking && now > c.PhaseDeadline)
                c.Close(c.Phase == ConnectionPhase.Connecting ? "connect timed out" : "handshake timed out");
            else if (Limits.IdleReason(c, now, othersWaitForSlot) is { } idle)
                c.Close(idle);
            else if (c.IsOpen && now - c.LastSent > KeepAliveInterval.TotalMilliseconds && c.SendPending == 0)
                c.SendKeepAlive();
        }
    }

    /// <summary>
    /// Forgets closed connections: <paramref name="settle"/> runs for each first (the engine gives
    /// back its pieces and choke slot), then its buffers go back to the pool.
    /// </summary>
    public void Sweep(Action<PeerConnection> settle)
    {
        for (var i = _all.Count - 1; i >= 0; i--)
        {
            var c = _all[i];
            if (c.Phase != ConnectionPhase.Closed) continue;
            _all.RemoveAt(i);
            _bySocket.Remove(c.Socket);
            c.Swarm?.Connections.Remove(c);
            settle(c);
            c.Release();
        }
        Counters.ConnectionsOpen(_all.Count);
    }

    private void Register(PeerConnection c)
    {
        _all.Add(c);
        _bySocket.Add(c.Socket, c);
        Counters.ConnectionsOpen(_all.Count);
    }

    private void Configure(Socket socket)
    {
        socket.Blocking = false;
        socket.NoDelay = true;
        if (options.SocketBufferSize > 0)
        {
            socket.SendBufferSize = options.SocketBufferSize;
            socket.ReceiveBufferSize = options.SocketBufferSize;
        }
    }
}
