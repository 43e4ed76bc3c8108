using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The "send" side: blocks peers request are queued per connection and, when its send buffer
/// has room and the rate limiters allow (the engine's, over all connections, and the torrent's own),
/// read from the file with one scatter read per run of
/// contiguous blocks straight behind their 13-byte headers (no allocation per block), then flushed.
/// </summary>
internal sealed class BlockServer(TransferEngineOptions options, RateLimiter limiter)
{
    /// <summary>Send-buffer room kept free for control messages while blocks are being served.</summary>
    private const int ControlReserve = 16 * 1024;
    private const int MaxFlushRoundsPerWakeup = 8;
    private readonly List<Memory<byte>> _segments = [];
    private long _bytesServed;

    /// <summary>Payload bytes served (readable from any thread).</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    /// <summary>
    /// A request is queued when we serve it: we have the piece, the peer's queue has room, and we do not choke the
    /// peer (or the piece is in the set we allowed it fast). Others are dropped, as BEP 3 allows, or on a fast
    /// connection rejected, so the peer asks someone else at once.
    /// </summary>
    public void OnRequest(PeerConnection c, PeerMessage message)
    {
        var request = new BlockRequest(message.Index, message.Begin, message.Length);
        if (c.Swarm!.Have[message.Index] && c.ServeQueue.Count < options.MaxQueuedRequestsPerPeer && (!c.AmChoking || c.Fast?.WeAllow(message.Index) == true))
            c.ServeQueue.Enqueue(request);
        else if (c.Fast is not null) c.SendReject(request);
    }

    /// <summary>A cancelled request leaves the queue; on a fast connection it is answered with a reject (BEP 6: one answer per request).</summary>
    public static void OnCancel(PeerConnection c, PeerMessage message)
    {
        var cancelled = new BlockRequest(message.Index, message.Begin, message.Length);
        for (var n = c.ServeQueue.Count; n > 0; n--)
        {
            var request = c.ServeQueue.Dequeue();
            if (request != cancelled) c.ServeQueue.Enqueue(request);
            else if (c.Fast is not null) c.SendReject(request);
        }
    }

    /// <summary>
    /// We just choked the peer: its queued requests are dropped (BEP 3), or on a fast connection rejected, except
    /// those for pieces we allowed it fast, which are still served (BEP 6).
    /// </summary>
    public static void OnChoked(PeerConnection c)
    {
        if (c.Fast is null)
        {
            c.ServeQueue.Clear();
            return;
        }
        for (var n = c.ServeQueue.Count; n > 0; n--)
        {
            var request = c.ServeQueue.Dequeue();
            if (c.Fast.WeAllow(request.Index)) c.ServeQueue.Enqueue(request);
            else c.SendReject(request);
        }
    }

    /// <summary>The upload limit over all connections.</summary>
    public RateLimiter Limiter => limiter;

    /// <summary>Before a round of <see cref="Pump"/> over all connections.</summary>
    public void BeginRound(long now) => limiter.Refill(now);

    /// <summary>Fills the send buffer with served blocks and flushes, a few rounds while the socket takes it.</summary>
    public void Pump(PeerConnection c, long now)
    {
        for (var round = 0; round < MaxFlushRoundsPerWakeup; round++)
        {
            Fill(c, now);
            if (c.SendPending == 0) return;
            var error = c.Flush(now);
            if (error == System.Net.Sockets.SocketError.WouldBlock)
            {
                c.SendBlocked = true;
                return;
            }
            if (error != System.Net.Sockets.SocketError.Success)
            {
                c.Close($"send failed: {error}");
                return;
            }
            if (c.ServeQueue.Count == 0) return;
        }
    }

    private void Fill(PeerConnection c, long now)
    {
        if (c.Swarm?.Content is not { } content)
        {
            c.ServeQueue.Clear();
            return;
        }
        const int room = MessageWriter.PieceHeaderLength + PieceGeometry.BlockSize + ControlReserve;
        if (c.ServeQueue.Count == 0 || c.SendFree < room) return;
        var own = c.Swarm.UploadLimiter;
        own.Refill(now);
        if (!limiter.CanSend(c.ServeQueue.Peek().Length) || !own.CanSend(c.ServeQueue.Peek().Length)) return;

        var geometry = c.Swarm.Torrent.Geometry;
        var tail = c.GetSendTail();
        var used = 0;
        while (c.ServeQueue.Count > 0 && tail.Length - used >= room && limiter.CanSend(c.ServeQueue.Peek().Length) && own.CanSend(c.ServeQueue.Peek().Length))
        {
            // A run of contiguous blocks of one piece (what a pipelining peer asks for) is one syscall.
            _segments.Clear();
            var first = c.ServeQueue.Peek();
            var fileOffset = geometry.PieceOffset(first.Index) + first.Begin;
            var nextBegin = first.Begin;
            var runBytes = 0;
            while (c.ServeQueue.TryPeek(out var request) && request.Index == first.Index && request.Begin == nextBegin
                   && tail.Length - used >= room && limiter.CanSend(request.Length) && own.CanSend(request.Length))
            {
                c.ServeQueue.Dequeue();
                used += MessageWriter.WritePieceHeader(tail.Span[used..], request.Index, request.Begin, request.Length);
                _segments.Add(tail.Slice(used, request.Length));
                used += request.Length;
                nextBegin += request.Length;
                runBytes += request.Length;
                limiter.Take(request.Length);
                own.Take(request.Length);
            }
            if (content.Read(_segments, fileOffset) != runBytes)
            {
                // Short scatter read (rare on regular files): finish block by block.
                var offset = fileOffset;
                foreach (var segment in _segments)
                {
                    content.ReadExactly(segment.Span, offset);
                    offset += segment.Length;
                }
            }
            Interlocked.Add(ref _bytesServed, runBytes);
            c.BytesUploaded += runBytes;
            c.Swarm.BytesUploaded += runBytes;
        }
        c.CommitSend(used);
    }
}
