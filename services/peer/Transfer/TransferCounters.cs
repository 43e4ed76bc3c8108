namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The engine's running totals since it started: payload bytes received for downloads, pieces that
/// passed or failed their SHA-1 check, connections open now, and how handshakes went with BEP 6 (fast extension). The engine thread writes them;
/// metrics read them from any thread when a reader collects, so nothing is recorded per block elsewhere.
/// </summary>
public sealed class TransferCounters
{
    private long _bytesReceived;
    private long _piecesVerified;
    private long _piecesFailed;
    private int _connections;
    private long _fastNegotiated;
    private long _fastPeerWithout;
    private long _fastDisabled;
    private long _rejectsReceived;

    /// <summary>Payload bytes received from other peers for downloads.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Pieces received that passed their SHA-1 check.</summary>
    public long PiecesVerified => Interlocked.Read(ref _piecesVerified);

    /// <summary>Pieces received that failed their SHA-1 check (their senders were dropped).</summary>
    public long PiecesFailed => Interlocked.Read(ref _piecesFailed);

    /// <summary>Peer wire connections open now, both directions, downloads and seeding alike.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Handshakes completed on which both sides offered BEP 6, the fast extension.</summary>
    public long FastNegotiated => Interlocked.Read(ref _fastNegotiated);

    /// <summary>Handshakes completed with a peer that did not offer the fast extension while we did.</summary>
    public long FastPeerWithout => Interlocked.Read(ref _fastPeerWithout);

    /// <summary>Handshakes completed while our fast extension was switched off (<c>Transfer:FastExtension</c>).</summary>
    public long FastDisabled => Interlocked.Read(ref _fastDisabled);

    /// <summary>BEP 6 rejects received for requests of ours (each block went back at once).</summary>
    public long RejectsReceived => Interlocked.Read(ref _rejectsReceived);

    internal void FastExtension(bool ours, bool peers)
    {
        if (!ours) Interlocked.Increment(ref _fastDisabled);
        else if (peers) Interlocked.Increment(ref _fastNegotiated);
        else Interlocked.Increment(ref _fastPeerWithout);
    }

    internal void RejectReceived() => Interlocked.Increment(ref _rejectsReceived);

    internal void Received(int bytes) => Interlocked.Add(ref _bytesReceived, bytes);
    internal void PieceVerified() => Interlocked.Increment(ref _piecesVerified);
    internal void PieceFailed() => Interlocked.Increment(ref _piecesFailed);
    internal void ConnectionsOpen(int count) => Volatile.Write(ref _connections, count);
}
