namespace BitTorrent.Peer.Downloads;

/// <summary>
/// Rarest first: the missing wanted piece the fewest connected peers have, scanning from a random start
/// per download so leechers of one seeder fetch different pieces and can trade. Its attendant is
/// the peer with the fewest running transactions; the one that just failed that piece, and
/// snubbed peers, only when no one else has it.
/// </summary>
internal sealed class RarestFirstPicker(int start) : IPiecePicker
{
    public bool TryPick<T>(PiecePlan plan, IReadOnlyList<T> attendants, out Piece? piece, out T? attendant) where T : class, IAttendant
    {
        piece = null;
        attendant = null;
        var pieces = plan.Pieces;
        if (pieces.Count == 0) return false;
        var first = start % pieces.Count;
        var bestAvailability = int.MaxValue;
        for (var k = 0; k < pieces.Count; k++)
        {
            var candidate = pieces[(first + k) % pieces.Count];
            if (candidate.Status != PieceStatus.Missing || !plan.Wanted.Contains(candidate.Index)) continue;
            var availability = plan.Availability(candidate.Index);
            if (availability == 0 || availability >= bestAvailability) continue;
            var chosen = ChooseAttendant(candidate, attendants);
            if (chosen is null) continue;
            (piece, attendant, bestAvailability) = (candidate, chosen, availability);
            if (availability == 1) break; // nothing is rarer
        }
        return piece is not null;
    }

    internal static T? ChooseAttendant<T>(Piece piece, IReadOnlyList<T> attendants) where T : class, IAttendant
    {
        T? best = null;
        var bestLoad = int.MaxValue;
        T? fallback = null;
        for (var i = 0; i < attendants.Count; i++)
        {
            var a = attendants[i];
            if (!a.CanAttend || !a.HasPiece(piece.Index)) continue;
            if (a.IsSnubbed || ReferenceEquals(a, piece.LastFailedAttendant))
            {
                fallback = a;
                continue;
            }
            if (a.ActiveTransactions < bestLoad) (best, bestLoad) = (a, a.ActiveTransactions);
        }
        return best ?? fallback;
    }
}
