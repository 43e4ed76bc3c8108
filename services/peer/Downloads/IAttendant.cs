namespace BitTorrent.Peer.Downloads;

/// <summary>A peer as the piece picker sees it: which pieces it has and how busy it is.</summary>
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
