using System.Net;
using System.Net.Sockets;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Transfer;

// The select loop: readiness polling over non-blocking sockets, I/O, timers and shutdown.
public sealed partial class TransferEngine
{
    private const int SelectTimeoutMicroseconds = 100_000;
    private const int TickMilliseconds = 200;
    private const int MaxReadsPerWakeup = 8;
    private const int MaxFlushRoundsPerWakeup = 8;
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(180);

    private void Run()
    {
        var read = new List<Socket>();
        var write = new List<Socket>();
        var errors = new List<Socket>();
        var nextTick = 0L;
        try
        {
            while (!_stopping)
            {
                try
                {
                    RunOnce(read, write, errors, ref nextTick);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug must not take the listener down with it (the original's worst defect).
                    Log.LoopError(_logger, e);
                }
            }
            Shutdown();
        }
        finally
        {
            _loopExited.TrySetResult();
            AbortQueuedCommands();
        }
    }

    private void RunOnce(List<Socket> read, List<Socket> write, List<Socket> errors, ref long nextTick)
    {
        read.Clear();
        write.Clear();
        errors.Clear();
        read.Add(_waker!.Reader);
        read.Add(_listener!);
        foreach (var c in _connections)
        {
            if (c.Phase == ConnectionPhase.Connecting)
            {
                write.Add(c.Socket);
                errors.Add(c.Socket);
                continue;
            }
            read.Add(c.Socket);
            if (c.SendBlocked) write.Add(c.Socket);
        }

        Socket.Select(read, write, errors, SelectTimeoutMicroseconds);
        var now = Environment.TickCount64;

        foreach (var socket in read)
        {
            if (ReferenceEquals(socket, _waker.Reader))
            {
                _waker.Reset();
                RunCommands();
            }
            else if (ReferenceEquals(socket, _listener)) AcceptPending(now);
            else if (_bySocket.TryGetValue(socket, out var c) && c.Phase != ConnectionPhase.Closed) Guard(c, now, _onReadable);
        }
        foreach (var socket in write)
        {
            if (!_bySocket.TryGetValue(socket, out var c) || c.Phase == ConnectionPhase.Closed) continue;
            if (c.Phase == ConnectionPhase.Connecting) Guard(c, now, _finishConnect);
            else c.SendBlocked = false;
        }
        foreach (var socket in errors)
            if (_bySocket.TryGetValue(socket, out var c) && c.Phase == ConnectionPhase.Connecting) Guard(c, now, _finishConnect);

        if (now >= nextTick)
        {
            OnTick(now);
            nextTick = now + TickMilliseconds;
        }
        ScheduleDownloads(now);
        PumpSends(now);
        SweepClosed();
    }

    private void RunCommands()
    {
        // Only what is queued now: commands posted meanwhile wake the loop again.
        for (var n = _commands.Count; n > 0 && _commands.TryDequeue(out var command); n--)
        {
            try
            {
                command.Run();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.LoopError(_logger, e); // one failing continuation must not strand the rest of the batch
            }
        }
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
            Close(c, $"error: {e.Message}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug met on one connection: drop that connection, keep the engine.
            Log.ConnectionFault(_logger, c.Describe(), e);
            Close(c, $"internal error: {e.GetType().Name}");
        }
    }

    // ---- accepting and dialling ---------------------------------------------------------

    private void AcceptPending(long now)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = _listener!.Accept();
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock)
            {
                return;
            }
            catch (SocketException e)
            {
                Log.AcceptFailed(_logger, e.SocketErrorCode);
                return;
            }
            if (_connections.Count >= _options.MaxConnections)
            {
                socket.Dispose();
                continue;
            }
            Configure(socket);
            var c = new PeerConnection(socket, (IPEndPoint)socket.RemoteEndPoint!, outgoing: false, _options.ReceiveBufferSize, _options.SendBufferSize, now)
            {
                Phase = ConnectionPhase.Handshaking,
                PhaseDeadline = now + (long)_options.ConnectTimeout.TotalMilliseconds,
            };
            Register(c);
        }
    }

    private void Dial(Swarm swarm, Downloads.KnownPeer peer, long now)
    {
        if (_connections.Count >= _options.MaxConnections) return;
        var socket = new Socket(peer.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Configure(socket);
        var c = new PeerConnection(socket, peer.EndPoint, outgoing: true, _options.ReceiveBufferSize, _options.SendBufferSize, now)
        {
            Phase = ConnectionPhase.Connecting,
            PhaseDeadline = now + (long)_options.ConnectTimeout.TotalMilliseconds,
            Swarm = swarm,
            KnownPeer = peer,
        };
        peer.Connection = c;
        Register(c);
        swarm.Connections.Add(c);
        try
        {
            socket.Connect(peer.EndPoint);
            OnConnected(c, now);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.AlreadyInProgress)
        {
            // completes when the socket turns writable
        }
        catch (SocketException e)
        {
            Close(c, $"connect failed: {e.SocketErrorCode}");
        }
    }

    private void FinishConnect(PeerConnection c, long now)
    {
        // Poll lets the Socket object learn the non-blocking connect finished; SO_ERROR says how.
        c.Socket.Poll(0, SelectMode.SelectWrite);
        var error = c.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) as int? ?? 0;
        if (error != 0) Close(c, $"connect failed (error {error})");
        else OnConnected(c, now);
    }

    private void OnConnected(PeerConnection c, long now)
    {
        c.Phase = ConnectionPhase.Handshaking;
        c.PhaseDeadline = now + (long)_options.ConnectTimeout.TotalMilliseconds;
        SendHandshake(c);
    }

    private void Configure(Socket socket)
    {
        socket.Blocking = false;
        socket.NoDelay = true;
        if (_options.SocketBufferSize > 0)
        {
            socket.SendBufferSize = _options.SocketBufferSize;
            socket.ReceiveBufferSize = _options.SocketBufferSize;
        }
    }

    private void Register(PeerConnection c)
    {
        _connections.Add(c);
        _bySocket.Add(c.Socket, c);
        Volatile.Write(ref _connectionCount, _connections.Count);
    }

    // ---- reading ------------------------------------------------------------------------

    private void OnReadable(PeerConnection c, long now)
    {
        for (var reads = 0; reads < MaxReadsPerWakeup && c.Phase != ConnectionPhase.Closed; reads++)
        {
            var received = c.Receive(out var error);
            if (error == SocketError.WouldBlock) return;
            if (error != SocketError.Success)
            {
                Close(c, error == SocketError.NoBufferSpaceAvailable ? "message larger than the receive buffer" : $"receive failed: {error}");
                return;
            }
            if (received == 0)
            {
                Close(c, "closed by peer");
                return;
            }
            c.LastReceived = now;
            ProcessReceived(c, now);
        }
    }

    /// <summary>
    /// Parses every whole message in the receive buffer, then keeps the partial tail. Blocks are
    /// written from the buffer before it moves on, and the pieces they complete are verified then.
    /// </summary>
    private void ProcessReceived(PeerConnection c, long now)
    {
        var offset = 0;
        try
        {
            while (c.Phase != ConnectionPhase.Closed)
            {
                var data = c.Received[offset..];
                if (c.Phase == ConnectionPhase.Handshaking)
                {
                    var status = Handshake.TryRead(data, out var infoHash, out var peerId);
                    if (status == ParseStatus.NeedMoreData) break;
                    if (status == ParseStatus.Malformed)
                    {
                        Close(c, "garbage instead of a handshake");
                        return;
                    }
                    offset += Handshake.Length;
                    OnHandshake(c, infoHash, peerId, now);
                    continue;
                }

                var geometry = c.Swarm!.Torrent.Geometry;
                var result = MessageReader.TryRead(data, geometry, out var message, out var consumed, out var reason);
                if (result == ParseStatus.NeedMoreData) break;
                if (result == ParseStatus.Malformed)
                {
                    Log.ProtocolViolation(_logger, c.Describe(), reason!);
                    Close(c, $"protocol violation: {reason}");
                    return;
                }
                offset += consumed;
                // A block is the tail of its message: it sits just before the new offset.
                if (message.Type == MessageType.Piece) OnBlock(c, message, offset - message.Payload.Length, now);
                else OnMessage(c, message, now);
            }
        }
        finally
        {
            FinishPieces();
        }
        if (c.Phase != ConnectionPhase.Closed) c.Consume(offset);
    }

    // ---- writing ------------------------------------------------------------------------

    /// <summary>
    /// Fills send buffers with served blocks (send transactions) and flushes them. Blocks are read
    /// with positional reads straight behind their 13-byte header, so serving allocates nothing.
    /// </summary>
    private void PumpSends(long now)
    {
        RefillUploadTokens(now);
        foreach (var c in _connections)
        {
            if (c.Phase is ConnectionPhase.Closed or ConnectionPhase.Connecting || c.SendBlocked) continue;
            Guard(c, now, _pumpSend);
        }
    }

    private void PumpSend(PeerConnection c, long now)
    {
        for (var round = 0; round < MaxFlushRoundsPerWakeup; round++)
        {
            FillServedBlocks(c);
            if (c.SendPending == 0) return;
            var error = c.Flush(now);
            if (error == SocketError.WouldBlock)
            {
                c.SendBlocked = true;
                return;
            }
            if (error != SocketError.Success)
            {
                Close(c, $"send failed: {error}");
                return;
            }
            if (c.ServeQueue.Count == 0) return;
        }
    }

    private void FillServedBlocks(PeerConnection c)
    {
        var swarm = c.Swarm;
        if (swarm?.File is not { } file)
        {
            c.ServeQueue.Clear();
            return;
        }
        const int room = MessageWriter.PieceHeaderLength + PieceGeometry.BlockSize + ControlReserve;
        if (c.ServeQueue.Count == 0 || c.SendFree < room || _uploadTokens < c.ServeQueue.Peek().Length) return;

        var tail = c.GetSendTail();
        var used = 0;
        while (c.ServeQueue.Count > 0 && tail.Length - used >= room && _uploadTokens >= c.ServeQueue.Peek().Length)
        {
            // A run of contiguous blocks of one piece (what a pipelining peer asks for) is read
            // with one scatter read straight behind the headers: one syscall for many blocks.
            _readSegments.Clear();
            var first = c.ServeQueue.Peek();
            var fileOffset = swarm.Torrent.Geometry.PieceOffset(first.Index) + first.Begin;
            var nextBegin = first.Begin;
            var runBytes = 0;
            while (c.ServeQueue.TryPeek(out var request) && request.Index == first.Index && request.Begin == nextBegin
                   && tail.Length - used >= room && _uploadTokens >= request.Length)
            {
                c.ServeQueue.Dequeue();
                used += MessageWriter.WritePieceHeader(tail.Span[used..], request.Index, request.Begin, request.Length);
                _readSegments.Add(tail.Slice(used, request.Length));
                used += request.Length;
                nextBegin += request.Length;
                runBytes += request.Length;
                if (_options.UploadRateLimit > 0) _uploadTokens -= request.Length;
            }
            if (RandomAccess.Read(file, _readSegments, fileOffset) != runBytes)
            {
                // Short scatter read (rare on regular files): finish block by block.
                var offset = fileOffset;
                foreach (var segment in _readSegments)
                {
                    TorrentMetainfo.ReadExactly(file, segment.Span, offset);
                    offset += segment.Length;
                }
            }
            Interlocked.Add(ref _bytesServed, runBytes);
        }
        c.CommitSend(used);
    }

    /// <summary>Token bucket for the upload limit; holds at most a fifth of a second of bytes (at least two blocks).</summary>
    private void RefillUploadTokens(long now)
    {
        var rate = _options.UploadRateLimit;
        if (rate <= 0)
        {
            _uploadTokens = double.MaxValue;
            return;
        }
        var capacity = Math.Max(rate / 5.0, 2.0 * PieceGeometry.BlockSize);
        _uploadTokens = Math.Min(capacity, _uploadTokens + rate * (now - _uploadTokensAt) / 1000.0);
        _uploadTokensAt = now;
    }

    // ---- closing ------------------------------------------------------------------------

    private void Close(PeerConnection c, string reason)
    {
        if (c.Phase == ConnectionPhase.Closed) return;
        var wasOpen = c.Phase == ConnectionPhase.Open;
        Log.ConnectionClosed(_logger, c.Describe(), reason);
        if (_writeOwner == c) FlushWrites(); // its blocks still point into the receive buffer released below
        c.Phase = ConnectionPhase.Closed;

        // The connection stays in its swarm's list (marked closed) until SweepClosed, so loops
        // over a swarm's connections may close peers as they go.
        if (c.Swarm is { } swarm)
        {
            if (swarm.Download is { } download)
            {
                if (c.RemotePieces is { } pieces) download.Plan.RemoveAvailability(pieces);
                AbandonTransactions(c, sendCancel: false);
                download.NeedsSchedule = true;
            }
        }
        if (!c.AmChoking)
        {
            c.AmChoking = true;
            _unchoked--;
            UnchokeWaitingPeer();
        }
        if (c.KnownPeer is { } peer && ReferenceEquals(peer.Connection, c))
        {
            peer.Connection = null;
            peer.Failures = wasOpen ? 1 : peer.Failures + 1;
            var delay = _options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(peer.Failures - 1, 5));
            peer.RetryAt = Environment.TickCount64 + (long)Math.Min(delay, 30_000);
        }
        c.Release();
    }

    private void SweepClosed()
    {
        for (var i = _connections.Count - 1; i >= 0; i--)
        {
            var c = _connections[i];
            if (c.Phase != ConnectionPhase.Closed) continue;
            _connections.RemoveAt(i);
            _bySocket.Remove(c.Socket);
            c.Swarm?.Connections.Remove(c);
        }
        Volatile.Write(ref _connectionCount, _connections.Count);
    }

    // ---- timers -------------------------------------------------------------------------

    private void OnTick(long now)
    {
        foreach (var c in _connections)
        {
            if (c.Phase is ConnectionPhase.Connecting or ConnectionPhase.Handshaking && now > c.PhaseDeadline)
                Close(c, c.Phase == ConnectionPhase.Connecting ? "connect timed out" : "handshake timed out");
            else if (c.Phase == ConnectionPhase.Open && now - c.LastReceived > IdleTimeout.TotalMilliseconds)
                Close(c, "idle");
            else if (c.Phase == ConnectionPhase.Open && now - c.LastSent > KeepAliveInterval.TotalMilliseconds && c.SendPending == 0)
                TrySend(c, 4, static span => MessageWriter.WriteKeepAlive(span));
        }
        foreach (var swarm in _swarms.Values)
            if (swarm.Download is { } download) TickDownload(swarm, download, now);
    }

    private void Shutdown()
    {
        foreach (var swarm in _swarms.Values)
        {
            if (swarm.Download is { } download) SaveState(download);
        }
        foreach (var c in _connections) Close(c, "engine stopping");
        SweepClosed();
        foreach (var swarm in _swarms.Values)
        {
            swarm.File?.Dispose();
            swarm.File = null;
        }
        while (_hashes.TryPop(out var hash)) hash.Dispose();
        _listener?.Dispose();
        _waker?.Dispose();
        Log.Stopped(_logger, _bytesServed);
    }
}
