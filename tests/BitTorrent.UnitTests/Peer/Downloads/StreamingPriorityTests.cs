using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class StreamingPriorityTests
{
    private const int PieceLength = 256 * 1024;
    private const int Pieces = 40;

    private static PiecePlan Plan(params int[] verified)
    {
        var bits = new Bitfield(Pieces);
        foreach (var i in verified) bits.Set(i);
        var plan = PiecePlan.Create(new PieceGeometry((long)Pieces * PieceLength, PieceLength), bits);
        plan.AddAvailability(Seeder.Instance.Pieces);
        return plan;
    }

    private static int Pick(IPiecePicker picker, PiecePlan plan)
    {
        Assert.True(picker.TryPick(plan, [Seeder.Instance], out var piece, out _));
        piece!.Status = PieceStatus.InFlight;
        return piece.Index;
    }

    [Fact]
    public void Without_readers_or_sequential_order_the_wrapped_picker_chooses()
    {
        var picker = new StreamingPriority(new RarestFirstPicker(start: 25));
        Assert.Equal(25, Pick(picker, Plan()));
    }

    [Fact]
    public void Pieces_a_reader_waits_for_come_first_in_file_order_then_the_wrapped_picker_again()
    {
        var plan = Plan();
        var picker = new StreamingPriority(new RarestFirstPicker(start: 0));
        var ready = picker.Want(plan, 30, 32, CancellationToken.None);

        Assert.Equal([30, 31, 32, 0], [Pick(picker, plan), Pick(picker, plan), Pick(picker, plan), Pick(picker, plan)]);
        Assert.False(ready.IsCompleted);
    }

    [Fact]
    public async Task A_reader_is_answered_when_its_first_piece_is_verified_with_the_run_of_verified_pieces_from_it()
    {
        var plan = Plan(31, 32);
        var picker = new StreamingPriority(new RarestFirstPicker(start: 0));
        var ready = picker.Want(plan, 30, 35, CancellationToken.None);

        picker.OnVerified(plan, 31); // not the one it waits for
        Assert.False(ready.IsCompleted);
        plan.MarkVerified(plan.Pieces[30]);
        picker.OnVerified(plan, 30);

        Assert.True(ready.IsCompletedSuccessfully);
        Assert.Equal(3, await ready); // 30, 31, 32
        Assert.Equal(0, picker.Waiting);
    }

    [Fact]
    public async Task A_range_already_verified_is_answered_at_once_and_raises_nothing()
    {
        var plan = Plan(5, 6);
        var picker = new StreamingPriority(new RarestFirstPicker(start: 20));
        var ready = picker.Want(plan, 5, 9, CancellationToken.None);

        Assert.True(ready.IsCompletedSuccessfully);
        Assert.Equal(2, await ready);
        Assert.Equal(20, Pick(picker, plan));
    }

    [Fact]
    public void A_reader_that_gives_up_is_cancelled_and_no_longer_raises_its_pieces()
    {
        var plan = Plan();
        var picker = new StreamingPriority(new RarestFirstPicker(start: 0));
        using var gaveUp = new CancellationTokenSource();
        var ready = picker.Want(plan, 30, 35, gaveUp.Token);

        gaveUp.Cancel();

        Assert.True(ready.IsCanceled);
        Assert.Equal(0, Pick(picker, plan));
        Assert.Equal(0, picker.Waiting);
    }

    [Fact]
    public void A_reader_looks_at_most_the_lookahead_past_its_next_piece()
    {
        var plan = Plan();
        for (var i = 10; i <= 10 + StreamingPriority.Lookahead; i++) plan.Pieces[i].Status = PieceStatus.InFlight;
        var picker = new StreamingPriority(new RarestFirstPicker(start: 0));
        _ = picker.Want(plan, 10, Pieces - 1, CancellationToken.None);

        Assert.Equal(0, Pick(picker, plan)); // piece 27 and on are left to rarest first
    }

    [Fact]
    public void Sequential_order_takes_the_first_missing_piece()
    {
        var plan = Plan(0, 1, 3);
        var picker = new StreamingPriority(new RarestFirstPicker(start: 30)) { Sequential = true };

        Assert.Equal([2, 4, 5], [Pick(picker, plan), Pick(picker, plan), Pick(picker, plan)]);
    }

    [Fact]
    public async Task A_download_that_stops_fails_its_readers()
    {
        var plan = Plan();
        var picker = new StreamingPriority(new RarestFirstPicker(start: 0));
        var ready = picker.Want(plan, 3, 4, CancellationToken.None);

        picker.Abandon("the download stopped: download cancelled");

        Assert.True(ready.IsFaulted);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ready);
        Assert.Equal(0, picker.Waiting);
    }

    private sealed class Seeder : IAttendant
    {
        public static readonly Seeder Instance = new();

        public Bitfield Pieces { get; } = Full();
        public bool CanAttend => true;
        public int ActiveTransactions => 0;
        public bool IsSnubbed => false;
        public bool HasPiece(int index) => Pieces[index];

        private static Bitfield Full()
        {
            var bits = new Bitfield(StreamingPriorityTests.Pieces);
            bits.SetAll();
            return bits;
        }
    }
}
