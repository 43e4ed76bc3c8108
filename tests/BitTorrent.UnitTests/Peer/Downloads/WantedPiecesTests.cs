using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class WantedPiecesTests
{
    private const int PieceLength = 16 * 1024;

    // Files: a = 1.5 pieces, b = 1 piece (straddles pieces 1 and 2), empty c, d = 1.5 pieces. Four pieces in all.
    private static readonly FileLayout Layout = new(new PieceGeometry(4L * PieceLength, PieceLength),
        [PieceLength + PieceLength / 2, PieceLength, 0, PieceLength + PieceLength / 2]);

    [Fact]
    public void A_wanted_file_wants_every_piece_it_touches_including_pieces_shared_with_unwanted_files()
    {
        var wanted = WantedPieces.Of(Layout, [false, true, false, false]);

        Assert.Equal([false, true, true, false], Enumerable.Range(0, 4).Select(wanted.Contains));
        Assert.Equal(PieceLength, wanted.TotalBytes);
        Assert.Equal((PieceLength / 2, PieceLength / 2), (wanted.BytesIn(1), wanted.BytesIn(2)));
        Assert.False(wanted.IsAll);
    }

    [Fact]
    public void Choosing_every_file_is_the_whole_torrent()
    {
        var wanted = WantedPieces.Of(Layout, [true, true, true, true]);

        Assert.True(wanted.IsAll);
        Assert.Null(wanted.Files);
        Assert.Equal(4L * PieceLength, wanted.TotalBytes);
    }

    [Fact]
    public void The_picker_never_picks_an_unwanted_piece_and_the_plan_completes_when_the_wanted_ones_are_verified()
    {
        var plan = PiecePlan.Create(Layout.Geometry, new Bitfield(4), WantedPieces.Of(Layout, [false, true, false, false]));
        var seeder = new Seeder(4);
        plan.AddAvailability(seeder.Pieces);
        IPiecePicker picker = new RarestFirstPicker(start: 0);

        var picked = new List<int>();
        while (picker.TryPick(plan, [seeder], out var piece, out _))
        {
            picked.Add(piece!.Index);
            plan.MarkVerified(piece);
        }

        Assert.Equal([1, 2], picked);
        Assert.True(plan.IsComplete);
        Assert.False(plan.HasEveryPiece);
        Assert.Equal(PieceLength, plan.VerifiedWantedBytes);
        Assert.False(plan.HasWantedPiece(seeder.Pieces));
    }

    [Fact]
    public void Choosing_more_files_later_makes_the_plan_incomplete_again_and_keeps_what_was_verified()
    {
        var plan = PiecePlan.Create(Layout.Geometry, new Bitfield(4), WantedPieces.Of(Layout, [false, true, false, false]));
        plan.MarkVerified(plan.Pieces[1]);
        plan.MarkVerified(plan.Pieces[2]);

        plan.Want(WantedPieces.Of(Layout, [true, true, false, false]));

        Assert.False(plan.IsComplete);
        Assert.Equal(1, plan.MissingWanted); // piece 0; piece 1 (shared by a and b) is already here
        Assert.Equal(PieceLength + PieceLength / 2, plan.VerifiedWantedBytes); // half of a in piece 1, all of b
    }

    private sealed class Seeder(int count) : IAttendant
    {
        public Bitfield Pieces { get; } = Full(count);
        public bool CanAttend => true;
        public int ActiveTransactions => 0;
        public bool IsSnubbed => false;
        public bool HasPiece(int index) => Pieces[index];

        private static Bitfield Full(int count)
        {
            var bits = new Bitfield(count);
            bits.SetAll();
            return bits;
        }
    }
}
