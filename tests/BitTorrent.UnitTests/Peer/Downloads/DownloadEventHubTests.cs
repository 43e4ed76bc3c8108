using BitTorrent.Peer.Downloads;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class DownloadEventHubTests
{
    private static readonly Id160 A = Id160.Hash("a");
    private static readonly Id160 B = Id160.Hash("b");

    [Fact]
    public async Task A_subscriber_that_does_not_read_never_blocks_publishing_and_its_progress_is_coalesced()
    {
        var hub = new DownloadEventHub();
        using var slow = hub.Subscribe();
        using var reader = hub.Subscribe();

        // The publisher runs to the end although "slow" reads nothing meanwhile.
        var publishing = Task.Run(() =>
        {
            for (var i = 1; i <= 100_000; i++) hub.Publish(Progress(A, i));
        });
        Assert.Same(publishing, await Task.WhenAny(publishing, Task.Delay(TimeSpan.FromSeconds(30))));

        Assert.True(slow.Reader.TryRead(out var latest));
        Assert.Equal(100_000, latest.BytesDone); // only the newest progress is left
        Assert.False(slow.Reader.TryRead(out _));
        Assert.Equal(99_999, slow.Coalesced);
        Assert.True(reader.Reader.TryRead(out _)); // every subscriber has its own queue
    }

    [Fact]
    public void State_changes_are_never_dropped_and_progress_never_overtakes_a_change()
    {
        var hub = new DownloadEventHub();
        using var subscription = hub.Subscribe();
        hub.Publish(Progress(A, 1));
        hub.Publish(Change(A, DownloadState.Paused, 2));
        hub.Publish(Progress(B, 1));
        hub.Publish(Progress(A, 3));
        hub.Publish(Change(A, DownloadState.Downloading, 4));
        hub.Publish(Progress(A, 5));
        hub.Publish(Progress(A, 6));
        hub.Publish(Change(A, DownloadState.Completed, 7, DownloadEventKind.Completed));

        var read = new List<DownloadEvent>();
        while (subscription.Reader.TryRead(out var e)) read.Add(e);

        Assert.Equal(
            [(A, 1L), (A, 2L), (B, 1L), (A, 3L), (A, 4L), (A, 6L), (A, 7L)],
            read.Select(e => (e.InfoHash, e.BytesDone)));
        Assert.Equal([DownloadState.Paused, DownloadState.Downloading, DownloadState.Completed],
            read.Where(e => !e.MayCoalesce).Select(e => e.State));
    }

    [Fact]
    public async Task A_reader_waiting_for_events_gets_them_as_they_are_published()
    {
        var hub = new DownloadEventHub();
        using var subscription = hub.Subscribe();
        var reading = Task.Run(async () =>
        {
            var kinds = new List<DownloadEventKind>();
            await foreach (var e in subscription.Reader.ReadAllAsync())
            {
                kinds.Add(e.Kind);
                if (e.Kind == DownloadEventKind.Completed) return kinds;
            }
            return kinds;
        });

        hub.Publish(Change(A, DownloadState.Downloading, 0));
        hub.Publish(Change(A, DownloadState.Completed, 10, DownloadEventKind.Completed));

        Assert.Same(reading, await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.Equal([DownloadEventKind.StateChanged, DownloadEventKind.Completed], await reading);
    }

    [Fact]
    public async Task A_subscriber_that_lets_too_many_changes_pile_up_is_ended_as_lagging_not_silently_shortened()
    {
        var hub = new DownloadEventHub();
        using var subscription = hub.Subscribe();
        for (var i = 0; i <= DownloadEventSubscription.MaxPendingChanges; i++) hub.Publish(Change(A, DownloadState.Paused, i));

        await Assert.ThrowsAsync<DownloadEventsLaggedException>(async () =>
        {
            await foreach (var _ in subscription.Reader.ReadAllAsync())
            {
            }
        });
    }

    [Fact]
    public void A_disposed_subscription_receives_nothing_more()
    {
        var hub = new DownloadEventHub();
        var subscription = hub.Subscribe();
        subscription.Dispose();
        hub.Publish(Change(A, DownloadState.Paused, 0));

        Assert.Equal(0, hub.SubscriberCount);
        Assert.False(subscription.Reader.TryRead(out _));
    }

    private static DownloadEvent Progress(Id160 id, long done) =>
        new(id, "file", DownloadEventKind.Progress, DownloadState.Downloading, done, 1_000_000, 0, null, "/tmp/file", DateTimeOffset.UnixEpoch);

    private static DownloadEvent Change(Id160 id, DownloadState state, long done, DownloadEventKind kind = DownloadEventKind.StateChanged) =>
        new(id, "file", kind, state, done, 1_000_000, 0, null, "/tmp/file", DateTimeOffset.UnixEpoch);
}
