using System.Collections.Concurrent;
using System.Diagnostics;
using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using BitTorrent.ChordNode.Telemetry;
using BitTorrent.UnitTests.ChordNode.Storage;

namespace BitTorrent.UnitTests.ChordNode.Telemetry;

public sealed class WriteBehindTracingTests
{
    [Fact]
    public async Task A_write_behind_flush_is_a_trace_of_its_own_linked_to_the_requests_whose_changes_it_carries()
    {
        var flushes = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ChordTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = flushes.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var requests = new ActivitySource("test-requests");
        using var requestListener = new ActivityListener
        {
            ShouldListenTo = source => source == requests,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(requestListener);

        var rig = new StorageRig(NodeRef.ForUrl("http://traced"), [NodeRef.ForUrl("http://traced-replica")],
            new StorageSettings { WriteBehindDelay = TimeSpan.FromMilliseconds(200) });
        var causes = new List<ActivityContext>();
        for (var i = 0; i < 3; i++)
        {
            using var request = requests.StartActivity("announce", ActivityKind.Server)!;
            causes.Add(request.Context);
            await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("swarm/traced", DhtOperationKind.UpdateSet,
                Updates: [SetUpdate.Add($"peer-{i}", "{}")], WriteBehind: true));
        }

        await StorageRig.EventuallyAsync(() => rig.Transport.Merges.Count == 1);
        var flush = Assert.Single(flushes, f => f.Links.Any(l => causes.Contains(l.Context)));
        Assert.Equal("write-behind flush", flush.DisplayName);
        Assert.Equal(causes.Order(ContextOrder.Instance), flush.Links.Select(l => l.Context).Order(ContextOrder.Instance));
        // Not a child of the first request that scheduled it: a root of its own trace.
        Assert.Equal(default, flush.ParentSpanId);
        Assert.DoesNotContain(flush.TraceId, causes.Select(c => c.TraceId));
    }

    [Fact]
    public void A_batch_remembers_at_most_MaxLinks_requests_and_when_its_oldest_change_was_queued()
    {
        var queue = new WriteBehindQueue();
        var before = Stopwatch.GetTimestamp();
        for (var i = 0; i < WriteBehindQueue.MaxLinks + 10; i++)
        {
            var cause = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
            queue.Add(new EntryData("swarm/x", EntryKind.Set, Members: [new MemberData($"m{i}", "{}", i + 1, null)]), cause);
        }
        var batch = queue.Drain();
        Assert.Equal(WriteBehindQueue.MaxLinks, batch.Links!.Count);
        Assert.InRange(batch.OldestTimestamp, before, Stopwatch.GetTimestamp());
        // Drained: the next batch starts afresh.
        queue.Add(new EntryData("swarm/y", EntryKind.Set, Members: [new MemberData("m", "{}", 1, null)]));
        var next = queue.Drain();
        Assert.Null(next.Links);
        Assert.True(next.OldestTimestamp > batch.OldestTimestamp);
    }

    private sealed class ContextOrder : IComparer<ActivityContext>
    {
        public static readonly ContextOrder Instance = new();
        public int Compare(ActivityContext x, ActivityContext y) => string.CompareOrdinal(x.SpanId.ToHexString(), y.SpanId.ToHexString());
    }
}
