using System.Threading.Channels;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// One subscriber's queue of download events, read through <see cref="Reader"/> (a
/// <see cref="ChannelReader{T}"/>: <c>await foreach (var e in subscription.Reader.ReadAllAsync())</c>).
/// Events come out in the order they were published, except that a pending progress event of a
/// download is replaced in place by a newer one (so the queue holds at most one progress event per
/// download besides its changes). A progress event never overtakes a change of its download.
/// </summary>
public sealed class DownloadEventSubscription : IDisposable
{
    /// <summary>State changes a subscriber may leave unread before it is ended as lagging.</summary>
    public const int MaxPendingChanges = 4096;

    private readonly Lock _gate = new();
    private readonly Queue<Slot> _queue = new();
    private readonly Dictionary<Id160, Slot> _pendingProgress = [];
    private readonly Action<DownloadEventSubscription> _unsubscribe;
    private int _pendingChanges;
    private TaskCompletionSource<bool>? _waiter;
    private Exception? _ended;
    private bool _completed;

    internal DownloadEventSubscription(Action<DownloadEventSubscription> unsubscribe)
    {
        _unsubscribe = unsubscribe;
        Reader = new EventReader(this);
    }

    public ChannelReader<DownloadEvent> Reader { get; }

    /// <summary>Progress events replaced by newer ones before this subscriber read them.</summary>
    public long Coalesced { get; private set; }

    internal void Offer(DownloadEvent e)
    {
        TaskCompletionSource<bool>? wake;
        lock (_gate)
        {
            if (_completed) return;
            if (e.MayCoalesce && _pendingProgress.TryGetValue(e.InfoHash, out var pending))
            {
                pending.Event = e;
                Coalesced++;
                return;
            }
            var slot = new Slot(e);
            if (e.MayCoalesce) _pendingProgress[e.InfoHash] = slot;
            else
            {
                _pendingProgress.Remove(e.InfoHash); // later progress queues behind this change
                if (++_pendingChanges > MaxPendingChanges)
                {
                    End(new DownloadEventsLaggedException());
                    return;
                }
            }
            _queue.Enqueue(slot);
            wake = _waiter;
            _waiter = null;
        }
        wake?.TrySetResult(true);
    }

    private bool TryTake(out DownloadEvent e)
    {
        lock (_gate)
        {
            if (_queue.TryDequeue(out var slot))
            {
                e = slot.Event;
                if (e.MayCoalesce) _pendingProgress.Remove(e.InfoHash);
                else _pendingChanges--;
                return true;
            }
        }
        e = null!;
        return false;
    }

    private ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> waiter;
        lock (_gate)
        {
            if (_queue.Count > 0) return new ValueTask<bool>(true);
            if (_completed) return _ended is null ? new ValueTask<bool>(false) : ValueTask.FromException<bool>(_ended);
            waiter = _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        return new ValueTask<bool>(waiter.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Ends the queue (under the lock): the reader drains what is queued, then sees the end (or the error).</summary>
    private void End(Exception? error)
    {
        _completed = true;
        _ended = error;
        if (error is not null) _queue.Clear();
        var waiter = _waiter; // set only while the queue is empty
        _waiter = null;
        if (error is null) waiter?.TrySetResult(false);
        else waiter?.TrySetException(error);
    }

    public void Dispose()
    {
        _unsubscribe(this);
        lock (_gate) if (!_completed) End(null);
    }

    private sealed class Slot(DownloadEvent e)
    {
        public DownloadEvent Event { get; set; } = e;
    }

    private sealed class EventReader(DownloadEventSubscription owner) : ChannelReader<DownloadEvent>
    {
        public override bool TryRead(out DownloadEvent item) => owner.TryTake(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => owner.WaitAsync(cancellationToken);
    }
}

/// <summary>A subscriber read too slowly and its queue of state changes overflowed: re-read the downloads and subscribe again.</summary>
public sealed class DownloadEventsLaggedException()
    : Exception($"More than {DownloadEventSubscription.MaxPendingChanges} download state changes were left unread; the subscription ended.");
