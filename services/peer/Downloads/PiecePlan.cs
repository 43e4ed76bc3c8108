using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// The pieces of a download, where each stands (missing, in flight, verifying, verified) and how
/// available each is among connected peers. Which piece to fetch next is the picker's choice
/// (<see cref="IPiecePicker"/>); only pieces of the wanted files (<see cref="Wanted"/>) are fetched,
/// and the plan is complete when every one of them is verified.
/// </summary>
internal sealed class PiecePlan
{
    private readonly Piece[] _pieces;
    private readonly int[] _availability;

    private PiecePlan(Piece[] pieces, WantedPieces wanted)
    {
        _pieces = pieces;
        _availability = new int[pieces.Length];
        Wanted = wanted;
    }

    public static PiecePlan Create(PieceGeometry geometry, Bitfield verified, WantedPieces? wanted = null)
    {
        var pieces = new Piece[geometry.PieceCount];
        var plan = new PiecePlan(pieces, wanted ?? WantedPieces.All(geometry));
        for (var i = 0; i < pieces.Length; i++)
        {
            pieces[i] = new Piece(i, geometry.PieceOffset(i), geometry.PieceSize(i));
            if (verified[i]) plan.MarkVerified(pieces[i]);
        }
        plan.Want(plan.Wanted);
        return plan;
    }

    public IReadOnlyList<Piece> Pieces => _pieces;
    public int VerifiedCount { get; private set; }
    public long VerifiedBytes { get; private set; }

    /// <summary>The files chosen, and so the pieces fetched.</summary>
    public WantedPieces Wanted { get; private set; }

    /// <summary>Bytes of the wanted files in verified pieces.</summary>
    public long VerifiedWantedBytes { get; private set; }

    /// <summary>Wanted pieces not verified yet.</summary>
    public int MissingWanted { get; private set; }

    /// <summary>Every wanted piece is verified (every piece, when every file is wanted).</summary>
    public bool IsComplete => MissingWanted == 0;

    /// <summary>Every piece of the torrent is verified, wanted or not.</summary>
    public bool HasEveryPiece => VerifiedCount == _pieces.Length;

    public void MarkVerified(Piece piece)
    {
        if (piece.Status == PieceStatus.Verified) return;
        piece.Status = PieceStatus.Verified;
        piece.Attendant = null;
        VerifiedCount++;
        VerifiedBytes += piece.Size;
        if (!Wanted.Contains(piece.Index)) return;
        VerifiedWantedBytes += Wanted.BytesIn(piece.Index);
        MissingWanted--;
    }

    /// <summary>A new selection of files: the wanted bytes and missing pieces counted again.</summary>
    public void Want(WantedPieces wanted)
    {
        Wanted = wanted;
        (VerifiedWantedBytes, MissingWanted) = (0, 0);
        foreach (var piece in _pieces)
        {
            if (!wanted.Contains(piece.Index)) continue;
            if (piece.Status == PieceStatus.Verified) VerifiedWantedBytes += wanted.BytesIn(piece.Index);
            else MissingWanted++;
        }
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

    /// <summary>True when the peer has a wanted piece we have not verified yet (we should be interested).</summary>
    public bool HasWantedPiece(Bitfield pieces)
    {
        if (pieces.IsEmpty) return false;
        for (var i = 0; i < _pieces.Length; i++)
            if (_pieces[i].Status != PieceStatus.Verified && pieces[i] && Wanted.Contains(i)) return true;
        return false;
    }

    public bool IsWanted(int index) => _pieces[index].Status != PieceStatus.Verified && Wanted.Contains(index);

    public Bitfield VerifiedBitfield()
    {
        var bits = new Bitfield(_pieces.Length);
        foreach (var piece in _pieces)
            if (piece.Status == PieceStatus.Verified) bits.Set(piece.Index);
        return bits;
    }

    private void ForEachSet(Bitfield pieces, int delta)
    {
        if (pieces.IsEmpty) return;
        for (var i = 0; i < _availability.Length; i++)
            if (pieces[i]) _availability[i] += delta;
    }
}
