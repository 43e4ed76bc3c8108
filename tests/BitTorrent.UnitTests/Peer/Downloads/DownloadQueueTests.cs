using BitTorrent.Peer.Downloads;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class DownloadQueueTests
{
    /// <summary>A download as the queue sees it: starting from the queue makes it active (as the controller does).</summary>
    private sealed class FakeDownload(DownloadQueue queue, string name) : IQueuedDownload
    {
        public string Name { get; } = name;
        public DownloadState State { get; private set; }

        public void Move(DownloadState state, int? position = null)
        {
            State = state;
            queue.OnStateChanged(this, state, position);
        }

        /// <summary>Starts if the queue has a slot, else waits queued: what a download asked to start does.</summary>
        public void Start() => Move(queue.HasSlot(this) ? DownloadState.Downloading : DownloadState.Queued);

        public void StartFromQueue() => Move(DownloadState.Downloading);

        public override string ToString() => Name;
    }

    private static string[] Order(DownloadQueue queue) => [.. queue.Queued.Cast<FakeDownload>().Select(d => d.Name)];

    [Fact]
    public void With_one_slot_the_second_download_is_queued_and_starts_when_the_first_completes()
    {
        var queue = new DownloadQueue { MaxActive = 1 };
        var first = new FakeDownload(queue, "first");
        var second = new FakeDownload(queue, "second");
        first.Start();
        second.Start();
        Assert.Equal(DownloadState.Downloading, first.State);
        Assert.Equal(DownloadState.Queued, second.State);
        Assert.Equal(0, queue.PositionOf(second));
        Assert.Equal(0, queue.Promote()); // no slot yet

        first.Move(DownloadState.Completed);

        Assert.Equal(1, queue.Promote());
        Assert.Equal(DownloadState.Downloading, second.State);
        Assert.Null(queue.PositionOf(second));
        Assert.Equal(1, queue.ActiveCount);
    }

    [Theory]
    [InlineData(DownloadState.Failed)]
    [InlineData(DownloadState.Paused)]
    [InlineData(DownloadState.Cancelled)]
    public void A_slot_frees_when_the_active_download_fails_is_paused_or_cancelled(DownloadState end)
    {
        var queue = new DownloadQueue { MaxActive = 1 };
        var first = new FakeDownload(queue, "first");
        var second = new FakeDownload(queue, "second");
        first.Start();
        second.Start();

        first.Move(end);
        queue.Promote();

        Assert.Equal(DownloadState.Downloading, second.State);
    }

    [Fact]
    public void Waiting_for_peers_holds_a_slot_like_downloading()
    {
        var queue = new DownloadQueue { MaxActive = 1 };
        var first = new FakeDownload(queue, "first");
        var second = new FakeDownload(queue, "second");
        first.Start();
        first.Move(DownloadState.WaitingForPeers);
        second.Start();

        Assert.Equal(DownloadState.Queued, second.State);
    }

    [Fact]
    public void Queued_downloads_start_in_queue_order_and_moves_reorder_them()
    {
        var queue = new DownloadQueue { MaxActive = 1 };
        var active = new FakeDownload(queue, "active");
        active.Start();
        var a = new FakeDownload(queue, "a");
        var b = new FakeDownload(queue, "b");
        var c = new FakeDownload(queue, "c");
        var d = new FakeDownload(queue, "d");
        foreach (var download in new[] { a, b, c, d }) download.Start();
        Assert.Equal(["a", "b", "c", "d"], Order(queue));

        Assert.True(queue.Move(d, QueueMove.Top));
        Assert.Equal(["d", "a", "b", "c"], Order(queue));
        Assert.True(queue.Move(a, QueueMove.Bottom));
        Assert.Equal(["d", "b", "c", "a"], Order(queue));
        Assert.True(queue.Move(c, QueueMove.Up));
        Assert.Equal(["d", "c", "b", "a"], Order(queue));
        Assert.True(queue.Move(d, QueueMove.Down));
        Assert.Equal(["c", "d", "b", "a"], Order(queue));
        Assert.True(queue.Move(c, QueueMove.Up)); // already first: stays
        Assert.True(queue.Move(a, QueueMove.Down)); // already last: stays
        Assert.Equal(["c", "d", "b", "a"], Order(queue));
        Assert.False(queue.Move(active, QueueMove.Top)); // not queued

        active.Move(DownloadState.Completed);
        queue.Promote();
        Assert.Equal(DownloadState.Downloading, c.State);
        Assert.Equal(["d", "b", "a"], Order(queue));
    }

    [Fact]
    public void Raising_the_limit_starts_as_many_as_it_allows_and_zero_starts_all()
    {
        var queue = new DownloadQueue { MaxActive = 1 };
        var downloads = Enumerable.Range(0, 5).Select(i => new FakeDownload(queue, $"d{i}")).ToList();
        downloads.ForEach(d => d.Start());
        Assert.Equal(4, queue.Queued.Count);

        queue.MaxActive = 3;
        Assert.Equal(2, queue.Promote());
        Assert.Equal(["d3", "d4"], Order(queue));

        queue.MaxActive = 0;
        Assert.Equal(2, queue.Promote());
        Assert.Empty(queue.Queued);
        Assert.All(downloads, d => Assert.Equal(DownloadState.Downloading, d.State));
    }

    [Fact]
    public void Lowering_the_limit_stops_nothing_that_runs_and_new_ones_wait()
    {
        var queue = new DownloadQueue();
        var a = new FakeDownload(queue, "a");
        var b = new FakeDownload(queue, "b");
        a.Start();
        b.Start();

        queue.MaxActive = 1;
        Assert.Equal(0, queue.Promote());
        var c = new FakeDownload(queue, "c");
        c.Start();

        Assert.Equal(DownloadState.Downloading, a.State);
        Assert.Equal(DownloadState.Downloading, b.State);
        Assert.Equal(DownloadState.Queued, c.State);
        a.Move(DownloadState.Completed);
        Assert.Equal(0, queue.Promote()); // b still holds the one slot
        b.Move(DownloadState.Completed);
        Assert.Equal(1, queue.Promote());
    }

    [Fact]
    public void Saved_positions_rebuild_the_order_after_a_restart_and_a_forgotten_download_leaves_it()
    {
        var queue = new DownloadQueue { MaxActive = 1 };
        new FakeDownload(queue, "active").Start();
        var second = new FakeDownload(queue, "second");
        var first = new FakeDownload(queue, "first");
        var third = new FakeDownload(queue, "third");
        // Restored in order of their saved positions.
        first.Move(DownloadState.Queued, position: 0);
        second.Move(DownloadState.Queued, position: 1);
        third.Move(DownloadState.Queued, position: 2);
        Assert.Equal(["first", "second", "third"], Order(queue));

        queue.Forget(second);

        Assert.Equal(["first", "third"], Order(queue));
        Assert.Equal(1, queue.PositionOf(third));
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.MaxActive = -1);
    }
}
