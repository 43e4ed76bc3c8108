using System.Net.Sockets;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Engine;

/// <summary>
/// The engine thread: a select loop over non-blocking sockets (the wake-up socket, the listener,
/// every connection). Each round it runs queued commands, accepts, reads (unless the block
/// writer is behind), finishes connects, then runs the timers (every 200 ms), starts piece
/// transactions where something changed (after starting queued downloads a freed slot allows), serves requested blocks, and sweeps closed
/// connections. Whatever one connection throws costs that connection only.
/// </summary>
internal sealed class EngineLoop(
    CommandQueue commands,
    PeerListener listener,
    ConnectionTable connections,
    TorrentRegistry torrents,
    PeerProtocol protocol,
    Choker choker,
    BlockServer server,
    BlockWriter writer,
    ILogger logger)
{
    private const int SelectTimeoutMicroseconds = 100_000;
    private const int TickMilliseconds = 200;
    private const int MaxReadsPerWakeup = 8;
    private readonly List<Socket> _read = [];
    private readonly List<Socket> _write = [];
    private readonly List<Socket> _errors = [];
    private long _nextTick;
    private long _now;

    /// <summary>Runs until <paramref name="stopping"/> says so, then shuts down (state saved, connections and files closed).</summary>
    public void Run(Func<bool> stopping)
    {
        while (!stopping())
        {
            try
            {
                RunOnce();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A bug must not take the listener down with it.
                EngineLog.LoopError(logger, e);
            }
        }
        Shutdown();
    }

    private void RunOnce()
    {
        _read.Clear();
        _write.Clear();
        _errors.Clear();
        _read.Add(commands.WakeSocket);
        _read.Add(listener.Socket);
        var reading = !writer.IsBehind; // backpressure: the writer wakes us once it has caught up
        foreach (var c in connections.All)
        {
            if (c.Phase == ConnectionPhase.Closed) continue;
            if (c.Phase == ConnectionPhase.Connecting)
            {
                _write.Add(c.Socket);
                _errors.Add(c.Socket);
                continue;
            }
            if (reading) _read.Add(c.Socket);
            if (c.SendBlocked) _write.Add(c.Socket);
        }

        Socket.Select(_read, _write, _errors, SelectTimeoutMicroseconds);
        var now = _now = Environment.TickCount64;

        foreach (var socket in _read)
        {
            if (ReferenceEquals(socket, commands.WakeSocket)) commands.RunPending(logger);
            else if (ReferenceEquals(socket, listener.Socket)) AcceptPending(now);
            else if (connections.Find(socket) is { Phase: not ConnectionPhase.Closed } c) Guard(c, now, OnReadable);
        }
        foreach (var socket in _write)
        {
            if (connections.Find(socket) is not { Phase: not ConnectionPhase.Closed } c) continue;
            if (c.Phase == ConnectionPhase.Connecting) Guard(c, now, connections.FinishConnect);
            else c.SendBlocked = false;
        }
        foreach (var socket in _errors)
            if (connections.Find(socket) is { Phase: ConnectionPhase.Connecting } c) Guard(c, now, connections.FinishConnect);
        connections.Sweep(Settle);

        if (now >= _nextTick)
        {
            connections.Tick(now);
            foreach (var download in torrents.Downloads) download.Tick(now);
            _nextTick = now + TickMilliseconds;
        }
        torrents.Queue.Promote(); // a slot freed since the last round: the next queued downloads start
        foreach (var download in torrents.Downloads)
            if (download.NeedsSchedule) download.Schedule(now);
        server.BeginRound(now);
        foreach (var c in connections.All)
            if (c is { Phase: ConnectionPhase.Handshaking or ConnectionPhase.Open, SendBlocked: false }) Guard(c, now, server.Pump);
        connections.Sweep(Settle);
    }

    /// <summary>Runs a per-connection handler; whatever it throws costs that connection only.</summary>
    private void Guard(PeerConnection c, long now, Action<PeerConnection, long> handler)
    {
        try
        {
            handler(c, now);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            c.Close($"error: {e.Message}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug met on one connection: drop that connection, keep the engine.
            EngineLog.ConnectionFault(logger, c.Describe(), e);
            c.Close($"internal error: {e.GetType().Name}");
        }
    }

    private void AcceptPending(long now)
    {
        SocketError error;
        while (listener.TryAccept(out error) is { } socket) connections.Accept(socket, now);
        if (error != SocketError.Success) EngineLog.AcceptFailed(logger, error);
    }

    /// <summary>
    /// Reads what the socket has and parses it at once, while it is hot in the cache; a few reads
    /// per wake-up, so one busy peer cannot starve the others.
    /// </summary>
    private void OnReadable(PeerConnection c, long now)
    {
        for (var reads = 0; reads < MaxReadsPerWakeup && c.Phase != ConnectionPhase.Closed; reads++)
        {
            var received = c.Receive(out var error);
            if (error == SocketError.WouldBlock) return;
            if (error != SocketError.Success)
            {
                c.Close(error == SocketError.NoBufferSpaceAvailable ? "message larger than the receive buffer" : $"receive failed: {error}");
                return;
            }
            if (received == 0)
            {
                c.Close("closed by peer");
                return;
            }
            c.LastReceived = now;
            protocol.ProcessReceived(c, now);
            if (writer.IsBehind) return;
        }
    }

    /// <summary>A closed connection is settled before it is forgotten: its pieces, its known endpoint, its choke slot.</summary>
    private void Settle(PeerConnection c)
    {
        EngineLog.ConnectionClosed(logger, c.Describe(), c.CloseReason);
        torrents.DownloadOf(c.Swarm)?.Peers.OnClosed(c, _now);
        choker.OnClosed(c, connections.All);
    }

    private void Shutdown()
    {
        foreach (var c in connections.All) c.Close("engine stopping");
        connections.Sweep(Settle);
        writer.Dispose(); // what was handed over is written; its results are dropped
        torrents.Close();
        listener.Dispose();
        EngineLog.Stopped(logger, server.BytesServed);
    }
}
