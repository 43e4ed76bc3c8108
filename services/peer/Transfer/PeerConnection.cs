using System.Buffers;
using System.Net;
using System.Net.Sockets;
using BitTorrent.Peer.Downloads;

namespace BitTorrent.Peer.Transfer;

internal enum ConnectionPhase
{
    /// <summary>Outgoing non-blocking connect in progress.</summary>
    Connecting,

    /// <summary>Waiting for the peer's handshake.</summary>
    Handshaking,

    Open,
    Closed,
}

/// <summary>A block the peer asked us for: a "send" transaction waiting for room in the send buffer.</summary>
internal readonly record struct BlockRequest(int Index, int Begin, int Length);

/// <summary>
/// One peer connection, touched only by the engine thread: a non-blocking socket, a pooled
/// receive buffer parsed in place, a pooled send buffer that batches messages into few syscalls,
/// the BEP 3 choke/interest flags of both sides, the dwn transactions this peer attends and the
/// send transactions (requested blocks) it waits for.
/// </summary>
internal sealed class PeerConnection : IAttendant
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
        _receive = ArrayPool<byte>.Shared.Rent(receiveBufferSize);
        _send = ArrayPool<byte>.Shared.Rent(sendBufferSize);
        LastReceived = LastSent = now;
    }

    public Socket Socket { get; }
    public IPEndPoint RemoteEndPoint { get; }
    public bool Outgoing { get; }
    public ConnectionPhase Phase { get; set; }

    /// <summary>Monotonic ms by which the current phase (connect, handshake) must be over.</summary>
    public long PhaseDeadline { get; set; }

    public Swarm? Swarm { get; set; }
    public KnownPeer? KnownPeer { get; set; }
    public string? RemotePeerId { get; set; }
    public Bitfield? RemotePieces { get; set; }

    public bool AmChoking { get; set; } = true;
    public bool AmInterested { get; set; }
    public bool PeerChoking { get; set; } = true;
    public bool PeerInterested { get; set; }
    public bool Banned { get; set; }

    /// <summary>The last flush hit a full socket buffer: wait for writability before sending more.</summary>
    public bool SendBlocked { get; set; }

    public List<PieceTransaction> Transactions { get; } = [];

    /// <summary>Block requests sent to this peer and not answered yet (pipelining depth).</summary>
    public int OutstandingRequests { get; set; }

    public Queue<BlockRequest> ServeQueue { get; } = new();

    public long LastReceived { get; set; }

    /// <summary>When this peer last delivered a block we asked for (0: never).</summary>
    public long LastBlockAt { get; set; }
    public long LastSent { get; set; }

    public bool CanAttend => Phase == ConnectionPhase.Open && !PeerChoking && !Banned && RemotePieces is not null;
    public bool HasPiece(int index) => RemotePieces is { } pieces && pieces[index];
    public int ActiveTransactions => Transactions.Count;
    public bool IsSnubbed { get; set; }

    public string Describe() => RemotePeerId is null ? RemoteEndPoint.ToString() : $"{RemoteEndPoint} ({RemotePeerId})";

    // ---- receive side -------------------------------------------------------------------

    public ReadOnlySpan<byte> Received => _receive.AsSpan(0, _receiveCount);

    /// <summary>A region of the receive buffer (a block to write), valid until the next <see cref="Consume"/>.</summary>
    public ReadOnlyMemory<byte> ReceivedMemory(int start, int length) => _receive.AsMemory(start, length);

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

    // ---- send side ----------------------------------------------------------------------

    public int SendPending => _sendEnd - _sendStart;
    public int SendFree => _send.Length - SendPending;

    /// <summary>Contiguous room for <paramref name="size"/> bytes, compacting if needed; the caller checks <see cref="SendFree"/>.</summary>
    public Span<byte> GetSendSpan(int size)
    {
        if (_send.Length - _sendEnd < size)
        {
            Buffer.BlockCopy(_send, _sendStart, _send, 0, SendPending);
            _sendEnd -= _sendStart;
            _sendStart = 0;
        }
        return _send.AsSpan(_sendEnd, size);
    }

    /// <summary>All free send space as one region (compacting once), for writing a batch of served blocks.</summary>
    public Memory<byte> GetSendTail()
    {
        if (_sendStart > 0)
        {
            Buffer.BlockCopy(_send, _sendStart, _send, 0, SendPending);
            _sendEnd -= _sendStart;
            _sendStart = 0;
        }
        return _send.AsMemory(_sendEnd);
    }

    public void CommitSend(int size) => _sendEnd += size;

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

    /// <summary>Closes the socket and gives the buffers back to the pool; idempotent.</summary>
    public void Release()
    {
        Phase = ConnectionPhase.Closed;
        Socket.Dispose();
        if (_receive.Length > 0) ArrayPool<byte>.Shared.Return(_receive);
        if (_send.Length > 0) ArrayPool<byte>.Shared.Return(_send);
        _receive = _send = [];
        _receiveCount = _sendStart = _sendEnd = 0;
    }
}
