namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The engine's running totals since it started: payload bytes received for downloads, pieces that
/// passed or failed their SHA-1 check, and connections open now. The engine thread writes them;
/// metrics read them from any thread when a reader collects, so nothing is recorded per block elsewhere.
/// </summary>
public sealed class TransferCounters
{
    private long _bytesReceived;
    private long _piecesVerified;
    private long _piecesFailed;
    private int _connections;

    /// <summary>Payload bytes received from other peers for downloads.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Pieces received that passed their SHA-1 check.</summary>
    public long PiecesVerified => Interlocked.Read(ref _piecesVerified);

    /// <summary>Pieces received that failed their SHA-1 check (their senders were dropped).</summary>
    public long PiecesFailed => Interlocked.Read(ref _piecesFailed);

    /// <summary>Peer wire connections open now, both directions, downloads and seeding alike.</summary>
    public int Connections => Volatile.Read(ref _connections);

    internal void Received(int bytes) => Interlocked.Add(ref _bytesReceived, bytes);
    internal void PieceVerified() => Interlocked.Increment(ref _piecesVerified);
    internal void PieceFailed() => Interlocked.Increment(ref _piecesFailed);
    internal void ConnectionsOpen(int count) => Volatile.Write(ref _connections, count);
}
