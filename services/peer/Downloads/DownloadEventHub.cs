namespace BitTorrent.Peer.Downloads;

/// <summary>
/// The in-process hub downloads publish their events on: any number of subscribers, each with
/// its own bounded queue read as a channel. Publishing never blocks the engine thread: a slow
/// subscriber's pending progress events of a download are replaced by the newest one, and state
/// changes (and completions, removals) are always kept; a subscriber that lets more than
/// <see cref="DownloadEventSubscription.MaxPendingChanges"/> changes pile up is ended as lagging
/// (it re-reads the downloads and subscribes again) rather than losing one silently.
/// </summary>
public sealed class DownloadEventHub
{
    private readonly Lock _gate = new();
    private DownloadEventSubscription[] _subscribers = [];

    /// <summary>Events published from now on, until the subscription is disposed.</summary>
    public DownloadEventSubscription Subscribe()
    {
        var subscription = new DownloadEventSubscription(Unsubscribe);
        lock (_gate) _subscribers = [.. _subscribers, subscription];
        return subscription;
    }

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Hands the event to every subscriber's queue; never waits for a reader.</summary>
    public void Publish(DownloadEvent downloadEvent)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers)) subscriber.Offer(downloadEvent);
    }

    private void Unsubscribe(DownloadEventSubscription subscription)
    {
        lock (_gate) _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, subscription))];
    }
}
