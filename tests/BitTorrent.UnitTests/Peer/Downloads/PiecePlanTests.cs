using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class PiecePlanTests
{
    private const int PieceLength = 256 * 1024;
    private static readonly IPiecePicker Picker = new RarestFirstPicker(start: 0);

    [Fact]
    public void Pieces_cover_the_file_and_only_the_last_is_short()
    {
        var geometry = new PieceGeometry(4L * PieceLength + 5, PieceLength);

        var plan = PiecePlan.Create(geometry, new Bitfield(geometry.PieceCount));

        Assert.Equal(5, plan.Pieces.Count);
        Assert.All(plan.Pieces.Take(4), p => Assert.Equal(PieceLength, p.Size));
        Assert.Equal(5, plan.Pieces[4].Size);
        Assert.Equal(4L * PieceLength, plan.Pieces[4].Offset);
        Assert.Equal(geometry.TotalLength, plan.Pieces.Sum(p => (long)p.Size));
        Assert.Equal(16, PieceGeometry.BlockCount(PieceLength));
        Assert.Equal(1, PieceGeometry.BlockCount(5));
    }

    [Fact]
    public void Verified_pieces_from_state_are_not_planned_again()
    {
        var geometry = new PieceGeometry(3L * PieceLength, PieceLength);
        var verified = new Bitfield(3);
        verified.Set(0);
        verified.Set(2);
        var plan = PiecePlan.Create(geometry, verified);
        var peer = new FakeAttendant(3, all: true);
        plan.AddAvailability(peer.Pieces);

        Assert.Equal(2, plan.VerifiedCount);
        Assert.Equal(2L * PieceLength, plan.VerifiedBytes);
        Assert.True(Picker.TryPick(plan, [peer], out var piece, out _));
        Assert.Equal(1, piece!.Index);
    }

    [Fact]
    public void The_rarest_piece_is_picked_first()
    {
        var plan = NewPlan(4);
        var everyone = new FakeAttendant(4, all: true);
        var partial = new FakeAttendant(4, 0, 1, 3);
        plan.AddAvailability(everyone.Pieces);
        plan.AddAvailability(partial.Pieces);

        Assert.True(Picker.TryPick(plan, [everyone, partial], out var piece, out var attendant));

        Assert.Equal(2, piece!.Index); // only one peer has piece 2
        Assert.Same(everyone, attendant);
    }

    [Fact]
    public void The_attendant_with_fewest_transactions_is_chosen()
    {
        var plan = NewPlan(4);
        var busy = new FakeAttendant(4, all: true) { ActiveTransactions = 3 };
        var idle = new FakeAttendant(4, all: true) { ActiveTransactions = 1 };
        plan.AddAvailability(busy.Pieces);
        plan.AddAvailability(idle.Pieces);

        Assert.True(Picker.TryPick(plan, [busy, idle], out _, out var attendant));
        Assert.Same(idle, attendant);
    }

    [Fact]
    public void A_released_piece_goes_to_another_attendant_when_one_has_it()
    {
        var plan = NewPlan(1);
        var failed = new FakeAttendant(1, all: true);
        var other = new FakeAttendant(1, all: true) { ActiveTransactions = 5 };
        plan.AddAvailability(failed.Pieces);
        plan.AddAvailability(other.Pieces);
        var piece = plan.Pieces[0];
        piece.Status = PieceStatus.InFlight;

        PiecePlan.Release(piece, failed);

        Assert.Equal(PieceStatus.Missing, piece.Status);
        Assert.True(Picker.TryPick(plan, [failed, other], out _, out var attendant));
        Assert.Same(other, attendant);
        Assert.Same(failed, RarestFirstPicker.ChooseAttendant(piece, [failed]));
    }

    [Fact]
    public void A_snubbed_peer_is_used_only_when_no_one_else_has_the_piece()
    {
        var plan = NewPlan(2);
        var snubbed = new FakeAttendant(2, all: true) { IsSnubbed = true };
        var busy = new FakeAttendant(2, 0) { ActiveTransactions = 9 };
        plan.AddAvailability(snubbed.Pieces);
        plan.AddAvailability(busy.Pieces);

        Assert.Same(busy, RarestFirstPicker.ChooseAttendant(plan.Pieces[0], [snubbed, busy]));
        Assert.Same(snubbed, RarestFirstPicker.ChooseAttendant(plan.Pieces[1], [snubbed, busy]));
    }

    [Fact]
    public void Nothing_is_picked_from_choking_peers_or_for_pieces_nobody_has()
    {
        var plan = NewPlan(2);
        var choking = new FakeAttendant(2, all: true) { CanAttend = false };
        var partial = new FakeAttendant(2, 0);
        plan.AddAvailability(choking.Pieces);
        plan.AddAvailability(partial.Pieces);
        plan.Pieces[0].Status = PieceStatus.InFlight;

        Assert.False(Picker.TryPick(plan, [choking, partial], out _, out _));
    }

    [Fact]
    public void Availability_follows_peers_coming_and_going()
    {
        var plan = NewPlan(3);
        var peer = new FakeAttendant(3, 1);
        plan.AddAvailability(peer.Pieces);
        plan.AddAvailability(2);

        Assert.Equal([0, 1, 1], new[] { plan.Availability(0), plan.Availability(1), plan.Availability(2) });
        Assert.True(plan.HasWantedPiece(peer.Pieces));

        plan.RemoveAvailability(peer.Pieces);
        plan.MarkVerified(plan.Pieces[1]);

        Assert.Equal(0, plan.Availability(1));
        Assert.False(plan.HasWantedPiece(peer.Pieces));
    }

    private static PiecePlan NewPlan(int pieces) =>
        PiecePlan.Create(new PieceGeometry((long)pieces * PieceLength, PieceLength), new Bitfield(pieces));

    private sealed class FakeAttendant : IAttendant
    {
        public FakeAttendant(int count, params int[] pieces)
        {
            Pieces = new Bitfield(count);
            foreach (var piece in pieces) Pieces.Set(piece);
        }

        public FakeAttendant(int count, bool all) : this(count)
        {
            if (all) Pieces.SetAll();
        }

        public Bitfield Pieces { get; }
        public bool CanAttend { get; set; } = true;
        public int ActiveTransactions { get; set; }
        public bool IsSnubbed { get; set; }
        public bool HasPiece(int index) => Pieces[index];
    }
}
