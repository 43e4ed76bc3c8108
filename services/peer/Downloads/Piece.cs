namespace BitTorrent.Peer.Downloads;

public enum PieceStatus
{
    Missing,

    /// <summary>A transaction is fetching it from its attendant.</summary>
    InFlight,

    /// <summary>All blocks arrived; SHA-1 check and write are running off the engine thread.</summary>
    Verifying,

    Verified,
}

/// <summary>One piece of a download: where it sits in the file and who is fetching it.</summary>
internal sealed class Piece(int index, long offset, int size)
{
    public int Index { get; } = index;
    public long Offset { get; } = offset;
    public int Size { get; } = size;
    public PieceStatus Status { get; set; }

    /// <summary>The peer fetching it now (while in flight).</summary>
    public IAttendant? Attendant { get; set; }

    /// <summary>The last peer that failed it (timeout, choke, disconnect); others are preferred for the retry.</summary>
    public IAttendant? LastFailedAttendant { get; set; }
}

/// <summary>A peer as the planner sees it: which pieces it has and how busy it is.</summary>
internal interface IAttendant
{
    /// <summary>Connected, handshaken, not choking us and not banned.</summary>
    bool CanAttend { get; }

    bool HasPiece(int index);

    /// <summary>Piece transactions this peer is attending now.</summary>
    int ActiveTransactions { get; }

    /// <summary>It let a piece time out and has delivered nothing since: used only when no one else can serve.</summary>
    bool IsSnubbed { get; }
}
