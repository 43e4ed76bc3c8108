using System.Diagnostics;
using BitTorrent.ChordNode.Telemetry;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Group commit: changes appended by any thread wait together while one batch is being written, and go
/// to the disk as the next batch in one transaction (one fsync for all of them). A dedicated thread
/// writes, since the database calls block. A failed batch is kept and written again before newer changes
/// (so the disk never skips a change), and the writers waiting for it are told it failed.
/// </summary>
internal sealed partial class GroupCommitWriter : IDisposable
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    private readonly Action<IReadOnlyList<StoreChange>> _writeBatch;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private List<StoreChange> _pending = [];
    private TaskCompletionSource _pendingDone = NewCompletion();
    private Task _inFlight = Task.CompletedTask;
    private bool _stopping;
    private long _batches;

    public GroupCommitWriter(Action<IReadOnlyList<StoreChange>> writeBatch, ILogger logger)
    {
        _writeBatch = writeBatch;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "store group commit" };
        _thread.Start();
    }

    /// <summary>Transactions written so far (each may hold many changes).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public Task Append(StoreChange change)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _pending.Add(change);
            if (_pending.Count == 1) Monitor.Pulse(_gate);
            return _pendingDone.Task;
        }
    }

    public Task Barrier()
    {
        lock (_gate) return _pending.Count > 0 ? _pendingDone.Task : _inFlight;
    }

    private void Run()
    {
        List<StoreChange>? retry = null;
        while (true)
        {
            List<StoreChange> batch;
            TaskCompletionSource done;
            lock (_gate)
            {
                while (_pending.Count == 0 && retry is null && !_stopping) Monitor.Wait(_gate);
                if (_pending.Count == 0 && retry is null) return;
                batch = _pending;
                if (retry is not null)
                {
                    retry.AddRange(batch);
                    batch = retry;
                }
                done = _pendingDone;
                _pending = [];
                _pendingDone = NewCompletion();
                _inFlight = done.Task;
            }
            try
            {
                var started = Stopwatch.GetTimestamp();
                _writeBatch(batch);
                ChordTelemetry.CommitDuration.Record(ChordTelemetry.SecondsSince(started));
                ChordTelemetry.CommitSize.Record(batch.Count);
                Interlocked.Increment(ref _batches);
                retry = null;
                done.SetResult();
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                // The disk refused (full, I/O error): nobody waiting is told their write is durable, and the
                // batch is written again first, so what is on disk never has a gap.
                LogBatchFailed(_logger, batch.Count, e);
                retry = batch;
                done.SetException(new IOException($"The store could not write {batch.Count} changes: {e.Message}", e));
                Thread.Sleep(RetryPause);
                lock (_gate)
                {
                    if (_stopping) return;
                }
            }
        }
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Writes what is queued and stops the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The store could not write a batch of {Count} changes; it will try again")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);
}
