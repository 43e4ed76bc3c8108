namespace BitTorrent.Peer.Downloads;

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
