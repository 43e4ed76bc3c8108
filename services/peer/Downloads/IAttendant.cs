namespace BitTorrent.Peer.Downloads;

/// <summary>A peer as the piece picker sees it: which pieces it has and how busy it is.</summary>
internal interface IAttendant
{
    /// <summary>Connected, handshaken, not banned, and not choking us (or choking us but allowing some pieces fast).</summary>
    bool CanAttend { get; }

    /// <summary>It has the piece and would serve it now (not choking us, or allowing it fast).</summary>
    bool HasPiece(int index);

    /// <summary>Piece transactions this peer is attending now.</summary>
    int ActiveTransactions { get; }

    /// <summary>It let a piece time out and has delivered nothing since: used only when no one else can serve.</summary>
    bool IsSnubbed { get; }
}
