using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class RarestFirstPickerTests
{
    private const int PieceLength = 256 * 1024;

    [Fact]
    public void Behind_its_interface_the_picker_scans_from_its_random_start_among_equally_rare_pieces()
    {
        var plan = PiecePlan.Create(new PieceGeometry(4L * PieceLength, PieceLength), new Bitfield(4));
        var peer = new Attendant(4);
        plan.AddAvailability(peer.Pieces);

        IPiecePicker fromTwo = new RarestFirstPicker(start: 2);
        IPiecePicker fromSeven = new RarestFirstPicker(start: 7); // wraps around: 7 % 4 = 3

        Assert.True(fromTwo.TryPick(plan, [peer], out var a, out _));
        Assert.True(fromSeven.TryPick(plan, [peer], out var b, out _));
        Assert.Equal((2, 3), (a!.Index, b!.Index));
    }

    [Fact]
    public void A_policy_stacked_on_it_decides_first_and_leaves_the_rest_to_it()
    {
        var plan = PiecePlan.Create(new PieceGeometry(4L * PieceLength, PieceLength), new Bitfield(4));
        var peer = new Attendant(4);
        plan.AddAvailability(peer.Pieces);
        plan.AddAvailability(peer.Pieces);
        plan.AddAvailability(3); // piece 3 is the most common, rarest first would never take it first
        IPiecePicker streaming = new WantedFirst(3, new RarestFirstPicker(start: 0));

        Assert.True(streaming.TryPick(plan, [peer], out var first, out _));
        first!.Status = PieceStatus.InFlight;
        Assert.True(streaming.TryPick(plan, [peer], out var second, out _));

        Assert.Equal((3, 0), (first.Index, second!.Index));
    }

    /// <summary>A stand-in for a streaming policy: one wanted piece first, then whatever the inner policy picks.</summary>
    private sealed class WantedFirst(int wanted, IPiecePicker inner) : IPiecePicker
    {
        public bool TryPick<T>(PiecePlan plan, IReadOnlyList<T> attendants, out Piece? piece, out T? attendant) where T : class, IAttendant
        {
            var candidate = plan.Pieces[wanted];
            if (candidate.Status == PieceStatus.Missing && RarestFirstPicker.ChooseAttendant(candidate, attendants) is { } chosen)
            {
                (piece, attendant) = (candidate, chosen);
                return true;
            }
            return inner.TryPick(plan, attendants, out piece, out attendant);
        }
    }

    private sealed class Attendant(int count) : IAttendant
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
