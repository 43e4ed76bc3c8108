namespace BitTorrent.Peer.Downloads;

/// <summary>
/// Which missing piece to fetch next, and from which attendant. Policies (rarest first now;
/// streaming, end game later) implement it and can wrap one another: a policy that has no
/// opinion asks the one it wraps.
/// </summary>
internal interface IPiecePicker
{
    /// <summary>A missing piece some attendant that can attend now has, and that attendant; false when none.</summary>
    bool TryPick<T>(PiecePlan plan, IReadOnlyList<T> attendants, out Piece? piece, out T? attendant) where T : class, IAttendant;
}
