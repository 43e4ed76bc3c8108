using System.Diagnostics;
using BitTorrent.ChordNode.Telemetry;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Write-behind replication of soft state: a primary queues set changes it has applied and answered, and
/// a flush a few milliseconds later sends everything queued to the replicas in one merge each. At most one
/// flush is in flight, so under load batches grow instead of requests multiplying.
/// </summary>
/// <remarks>
/// A flush belongs to no one request: when traced it is a trace of its own ("write-behind flush", whose merges
/// on the replicas are its children), linked to the spans of the requests whose changes it carries.
/// </remarks>
public sealed partial class WriteBehindReplicator(ReplicaFanOut fanOut, StorageSettings settings, TimeProvider time, ILogger<WriteBehindReplicator> logger)
{
    private readonly WriteBehindQueue _queue = new();
    private int _flushScheduled;

    /// <summary>Write-behind changes applied here and not yet sent to the replicas.</summary>
    public int Pending => _queue.Count;

    /// <summary>Queues a change for the replicas and makes sure a flush is coming.</summary>
    public void Enqueue(EntryData delta)
    {
        _queue.Add(delta, ChordTelemetry.ActivitySource.HasListeners() && Activity.Current is { } cause ? cause.Context : default);
        if (Interlocked.Exchange(ref _flushScheduled, 1) == 0)
            _ = FlushSoonAsync().ContinueWith(LogFault, logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private async Task FlushSoonAsync()
    {
        // Started from the request that queued the first change: its span is not the flush's parent.
        Activity.Current = null;
        while (true)
        {
            try
            {
                await Task.Delay(settings.WriteBehindDelay, time).ConfigureAwait(false);
                await FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _flushScheduled, 0);
            }
            // A change queued while the batch was in flight found the flag set: go round again for it.
            if (_queue.Count == 0 || Interlocked.Exchange(ref _flushScheduled, 1) != 0) return;
        }
    }

    /// <summary>Sends every queued change to the current replicas, one merge per replica.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var batch = _queue.Drain();
        if (batch.Entries.Count == 0) return;
        using (var flush = ChordTelemetry.ActivitySource.StartActivity("write-behind flush", ActivityKind.Internal, parentContext: default, links: batch.Links))
        {
            flush?.SetTag("bittorrent.ring.keys", batch.Entries.Count);
            await fanOut.SendAsync(batch.Entries, cancellationToken).ConfigureAwait(false);
        }
        // A node without replicas (alone) has no lag to report.
        if (fanOut.Targets().Count > 0) ChordTelemetry.ReplicationLag.Record(ChordTelemetry.SecondsSince(batch.OldestTimestamp));
    }

    /// <summary>A flush failed in a way the fan-out does not expect (a bug): the next change schedules a new one.</summary>
    private static void LogFault(Task task, object? state) =>
        LogFlushFailed((ILogger)state!, task.Exception!.GetBaseException());

    [LoggerMessage(Level = LogLevel.Error, Message = "A write-behind flush failed; its changes reach the replicas by anti-entropy")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
