namespace BitTorrent.Peer.Downloads;

/// <summary>How a piece handed to the <see cref="BlockWriter"/> ended; called on the engine thread.</summary>
internal interface IPieceListener
{
    /// <summary>All its blocks are on disk and its SHA-1 was compared: <paramref name="valid"/> says whether it matched.</summary>
    void OnPieceChecked(PieceTransaction transaction, bool valid);

    /// <summary>Writing or reading the piece failed (disk full, file gone): the download cannot go on as it is.</summary>
    void OnPieceFailed(PieceTransaction transaction, string reason);
}
