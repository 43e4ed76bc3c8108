using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// One peer connection as the wire sees it, touched only by the engine thread: a non-blocking
/// socket, a pooled receive buffer parsed in place, a pooled send buffer that batches messages
/// into few syscalls, the BEP 3 choke/interest flags of both sides and the blocks the peer asked
/// us for. It knows nothing of downloads.
/// </summary>
internal sealed class PeerConnection
{
    private byte[] _receive;
    private int _receiveCount;
    private byte[] _send;
    private int _sendStart;
    private int _sendEnd;

    public PeerConnection(Socket socket, IPEndPoint remoteEndPoint, bool outgoing, int receiveBufferSize, int sendBufferSize, long now)
    {
        Socket = socket;
        RemoteEndPoint = remoteEndPoint;
        Outgoing = outgoing;
        _receive = ReceiveBuffers.Pool.Rent(receiveBufferSize);
        _send = ArrayPool<byte>.Shared.Rent(sendBufferSize);
        LastReceived = LastSent = LastMessage = LastRequest = now;
    }

    public Socket Socket { get; }
    public IPEndPoint RemoteEndPoint { get; }
    public bool Outgoing { get; }
    public ConnectionPhase Phase { get; set; }
    public bool IsOpen => Phase == ConnectionPhase.Open;

    /// <summary>Monotonic ms by which the current phase (connect, handshake) must be over.</summary>
    public long PhaseDeadline { get; set; }

    /// <summary>Why it was closed (for the log), once it is.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>The torrent this connection is for: known when dialling, after the handshake when accepted.</summary>
    public Swarm? Swarm { get; set; }

    /// <summary>The remote peer id, one char per byte (a lossless key), after the handshake.</summary>
    public string? RemotePeerId { get; set; }
    public string? RemotePeerName { get; set; }
    public Bitfield? RemotePieces { get; set; }

    /// <summary>The peer's handshake set BEP 10's bit: it gets our extension handshake and may send extended messages.</summary>
    public bool SupportsExtensions { get; set; }

    /// <summary>Both handshakes set BEP 6's bit: what the fast extension keeps for this connection; null otherwise.</summary>
    public FastExtensionState? Fast { get; set; }

    /// <summary>The remote client's name and version as its extension handshake says (<c>v</c>), once it has sent one.</summary>
    public string? ClientName { get; set; }

    /// <summary>The id the peer wants <c>ut_metadata</c> messages sent with (0: it does not speak it).</summary>
    public byte RemoteMetadataId { get; set; }

    /// <summary><c>ut_metadata</c> requests the peer made on this connection (bounded by <see cref="MetadataExchange"/>).</summary>
    public int MetadataRequests { get; set; }

    public bool AmChoking { get; set; } = true;
    public bool AmInterested { get; set; }
    public bool PeerChoking { get; set; } = true;
    public bool PeerInterested { get; set; }

    /// <summary>The last flush hit a full socket buffer: wait for writability before sending more.</summary>
    public bool SendBlocked { get; set; }

    /// <summary>Blocks the peer requested, served in order when the send buffer has room.</summary>
    public Queue<BlockRequest> ServeQueue { get; } = new();

    public long LastReceived { get; set; }

    /// <summary>When the last whole message other than a keep-alive arrived (or the connection was made).</summary>
    public long LastMessage { get; set; }

    /// <summary>When the peer last asked us for something (interested, a request), for the upload-slot rule.</summary>
    public long LastRequest { get; set; }
    public long LastSent { get; set; }

    /// <summary>Payload bytes this peer sent us that a download took (blocks we asked for).</summary>
    public long BytesDownloaded { get; set; }

    /// <summary>Payload bytes we served this peer.</summary>
    public long BytesUploaded { get; set; }

    public string Describe() => RemotePeerName is null ? RemoteEndPoint.ToString() : $"{RemoteEndPoint} ({RemotePeerName})";

    /// <summary>Marks the connection closed and closes its socket; the engine settles the rest when it sweeps.</summary>
    public void Close(string reason)
    {
        if (Phase == ConnectionPhase.Closed) return;
        Phase = ConnectionPhase.Closed;
        CloseReason = reason;
        Socket.Dispose();
    }

    /// <summary>Gives the buffers back to the pool once nothing points into them; idempotent.</summary>
    public void Release()
    {
        Close("released");
        if (_receive.Length > 0) ReceiveBuffers.Pool.Return(_receive);
        if (_send.Length > 0) ArrayPool<byte>.Shared.Return(_send);
        _receive = _send = [];
        _receiveCount = _sendStart = _sendEnd = 0;
    }

    // ---- receive side -------------------------------------------------------------------

    public ReadOnlySpan<byte> Received => _receive.AsSpan(0, _receiveCount);

    /// <summary>Room left in the receive buffer.</summary>
    public int ReceiveFree => _receive.Length - _receiveCount;

    /// <summary>The receive buffer itself: blocks staged for the writer point into it until it is detached.</summary>
    public byte[] ReceiveBuffer => _receive;

    /// <summary>Reads what the socket has into the free tail of the buffer. 0 means the peer closed.</summary>
    public int Receive(out SocketError error)
    {
        var free = _receive.Length - _receiveCount;
        if (free == 0)
        {
            error = SocketError.NoBufferSpaceAvailable;
            return -1;
        }
        var read = Socket.Receive(_receive, _receiveCount, free, SocketFlags.None, out error);
        if (error == SocketError.Success) _receiveCount += read;
        return read;
    }

    /// <summary>Drops the parsed prefix and moves the partial message that follows it to the front.</summary>
    public void Consume(int count)
    {
        if (count == 0) return;
        _receiveCount -= count;
        if (_receiveCount > 0) Buffer.BlockCopy(_receive, count, _receive, 0, _receiveCount);
    }

    /// <summary>
    /// Hands the whole receive buffer away (blocks in its first <paramref name="consumed"/> bytes
    /// go to the disk writer, which returns it to <see cref="ReceiveBuffers"/>) and continues in a fresh pooled buffer
    /// holding the unparsed tail. No block is copied on the engine thread.
    /// </summary>
    public byte[] DetachReceiveBuffer(int consumed)
    {
        var old = _receive;
        var fresh = ReceiveBuffers.Pool.Rent(old.Length);
        _receiveCount -= consumed;
        if (_receiveCount > 0) Buffer.BlockCopy(old, consumed, fresh, 0, _receiveCount);
        _receive = fresh;
        return old;
    }

    // ---- send side ----------------------------------------------------------------------

    public int SendPending => _sendEnd - _sendStart;
    public int SendFree => _send.Length - SendPending;

    /// <summary>Contiguous room for <paramref name="size"/> bytes, compacting if needed; the caller checks <see cref="SendFree"/>.</summary>
    public Span<byte> GetSendSpan(int size)
    {
        if (_send.Length - _sendEnd < size) Compact();
        return _send.AsSpan(_sendEnd, size);
    }

    /// <summary>All free send space as one region (compacting once), for writing a batch of served blocks.</summary>
    public Memory<byte> GetSendTail()
    {
        if (_sendStart > 0) Compact();
        return _send.AsMemory(_sendEnd);
    }

    public void CommitSend(int size) => _sendEnd += size;

    private void Compact()
    {
        Buffer.BlockCopy(_send, _sendStart, _send, 0, SendPending);
        _sendEnd -= _sendStart;
        _sendStart = 0;
    }

    /// <summary>Sends as much as the socket takes without blocking.</summary>
    public SocketError Flush(long now)
    {
        while (SendPending > 0)
        {
            var sent = Socket.Send(_send, _sendStart, SendPending, SocketFlags.None, out var error);
            if (error != SocketError.Success) return error;
            _sendStart += sent;
            LastSent = now;
        }
        _sendStart = _sendEnd = 0;
        return SocketError.Success;
    }

    // ---- control messages ---------------------------------------------------------------

    /// <summary>
    /// Room for a control message. If even that does not fit, the peer has not read for a long
    /// time: it is closed rather than buffered without bound, and the span is empty.
    /// </summary>
    private Span<byte> Reserve(int size)
    {
        if (Phase == ConnectionPhase.Closed) return [];
        if (SendFree < size)
        {
            Close("send buffer full (peer is not reading)");
            return [];
        }
        return GetSendSpan(size);
    }

    public void SendHandshake(Id160 infoHash, ReadOnlySpan<byte> peerId, bool fastExtension)
    {
        var span = Reserve(Handshake.Length);
        if (!span.IsEmpty) CommitSend(Handshake.Write(span, infoHash, peerId, fastExtension));
    }

    public void SendState(MessageType type)
    {
        var span = Reserve(5);
        if (!span.IsEmpty) CommitSend(MessageWriter.WriteState(span, type));
    }

    public void SendBitfield(Bitfield have)
    {
        var span = Reserve(5 + have.Bytes.Length);
        if (!span.IsEmpty) CommitSend(MessageWriter.WriteBitfield(span, have.Bytes));
    }

    public void SendHave(int index) => SendPieceIndex(MessageType.Have, index);

    /// <summary>have, or BEP 6's allowed fast or suggest piece.</summary>
    public void SendPieceIndex(MessageType type, int index)
    {
        var span = Reserve(MessageWriter.HaveLength);
        if (!span.IsEmpty) CommitSend(MessageWriter.WritePieceIndex(span, type, index));
    }

    public void SendCancel(int index, int begin, int length)
    {
        var span = Reserve(MessageWriter.RequestLength);
        if (!span.IsEmpty) CommitSend(MessageWriter.WriteCancel(span, index, begin, length));
    }

    /// <summary>BEP 6: tells the peer a request of its will not be served (only on a fast connection).</summary>
    public void SendReject(BlockRequest request)
    {
        var span = Reserve(MessageWriter.RequestLength);
        if (!span.IsEmpty) CommitSend(MessageWriter.WriteReject(span, request.Index, request.Begin, request.Length));
    }

    /// <summary>A BEP 10 extended message: the extension's id (as the peer asked for it) and its payload.</summary>
    public void SendExtended(byte extensionId, ReadOnlySpan<byte> payload)
    {
        var span = Reserve(6 + payload.Length);
        if (span.IsEmpty) return;
        BinaryPrimitives.WriteInt32BigEndian(span, 2 + payload.Length);
        span[4] = (byte)MessageType.Extended;
        span[5] = extensionId;
        payload.CopyTo(span[6..]);
        CommitSend(span.Length);
    }

    public void SendKeepAlive()
    {
        var span = Reserve(4);
        if (!span.IsEmpty) CommitSend(MessageWriter.WriteKeepAlive(span));
    }

    /// <summary>
    /// A block request, if the send buffer has room for it (requests are not worth closing over); on a fast
    /// connection it is remembered until the peer answers it with the block or a reject.
    /// </summary>
    public bool TrySendRequest(int index, int begin, int length)
    {
        if (!IsOpen || SendFree < MessageWriter.RequestLength || Fast is { CanRequest: false }) return false;
        CommitSend(MessageWriter.WriteRequest(GetSendSpan(MessageWriter.RequestLength), index, begin, length));
        Fast?.Requested(index, begin, length);
        return true;
    }

    /// <summary>Interested or not, sent only when it changes.</summary>
    public void SetInterested(bool interested)
    {
        if (AmInterested == interested || !IsOpen) return;
        AmInterested = interested;
        SendState(interested ? MessageType.Interested : MessageType.NotInterested);
    }
}
