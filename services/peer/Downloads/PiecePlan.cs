using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// The pieces of a download and how available each is among connected peers. Picks the next
/// piece (rarest first, scanning from a per-download random start so leechers of one seeder
/// fetch different pieces and can trade) and its attendant (the peer with the fewest running
/// transactions, avoiding the one that just failed that piece, and snubbed peers, when another has it).
/// </summary>
internal sealed class PiecePlan
{
    private readonly Piece[] _pieces;
    private readonly int[] _availability;
    private readonly int _start;

    private PiecePlan(Piece[] pieces, int start)
    {
        _pieces = pieces;
        _availability = new int[pieces.Length];
        _start = pieces.Length == 0 ? 0 : start % pieces.Length;
    }

    public static PiecePlan Create(PieceGeometry geometry, Bitfield verified, int start)
    {
        var pieces = new Piece[geometry.PieceCount];
        var plan = new PiecePlan(pieces, start);
        for (var i = 0; i < pieces.Length; i++)
        {
            pieces[i] = new Piece(i, geometry.PieceOffset(i), geometry.PieceSize(i));
            if (verified[i]) plan.MarkVerified(pieces[i]);
        }
        return plan;
    }

    public IReadOnlyList<Piece> Pieces => _pieces;
    public int VerifiedCount { get; private set; }
    public long VerifiedBytes { get; private set; }
    public bool IsComplete => VerifiedCount == _pieces.Length;

    public void MarkVerified(Piece piece)
    {
        if (piece.Status == PieceStatus.Verified) return;
        piece.Status = PieceStatus.Verified;
        piece.Attendant = null;
        VerifiedCount++;
        VerifiedBytes += piece.Size;
    }

    /// <summary>Puts a piece back to be fetched again, remembering who failed it.</summary>
    public static void Release(Piece piece, IAttendant? failedBy)
    {
        if (piece.Status == PieceStatus.Verified) return;
        piece.Status = PieceStatus.Missing;
        piece.Attendant = null;
        if (failedBy is not null) piece.LastFailedAttendant = failedBy;
    }

    public int Availability(int index) => _availability[index];

    public void AddAvailability(int index) => _availability[index]++;

    public void AddAvailability(Bitfield pieces) => ForEachSet(pieces, +1);

    public void RemoveAvailability(Bitfield pieces) => ForEachSet(pieces, -1);

    /// <summary>True when the peer has a piece we have not verified yet (we should be interested).</summary>
    public bool HasWantedPiece(Bitfield pieces)
    {
        if (pieces.IsEmpty) return false;
        for (var i = 0; i < _pieces.Length; i++)
            if (_pieces[i].Status != PieceStatus.Verified && pieces[i]) return true;
        return false;
    }

    public bool IsWanted(int index) => _pieces[index].Status != PieceStatus.Verified;

    /// <summary>The rarest missing piece some attendant can serve now, and that attendant.</summary>
    public bool TryPick<T>(IReadOnlyList<T> attendants, out Piece? piece, out T? attendant) where T : class, IAttendant
    {
        piece = null;
        attendant = null;
        var bestAvailability = int.MaxValue;
        for (var k = 0; k < _pieces.Length; k++)
        {
            var candidate = _pieces[(_start + k) % _pieces.Length];
            if (candidate.Status != PieceStatus.Missing) continue;
            var availability = _availability[candidate.Index];
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

    private void ForEachSet(Bitfield pieces, int delta)
    {
        if (pieces.IsEmpty) return;
        for (var i = 0; i < _availability.Length; i++)
            if (pieces[i]) _availability[i] += delta;
    }
}
