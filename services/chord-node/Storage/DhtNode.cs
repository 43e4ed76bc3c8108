using BitTorrent.ChordNode.Ring;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// The storage member's upkeep, as the ring host drives it: taking over keys on join, and each period
/// collecting what expired, handing off keys this node no longer holds and, when due, a full anti-entropy
/// pass with its replicas. Requests are served by <see cref="DhtRouter"/> and <see cref="PrimaryApplier"/>.
/// </summary>
public sealed partial class DhtNode(
    LocalStore store,
    AntiEntropy antiEntropy,
    KeyHandoff handoff,
    HybridClock clock,
    StorageSettings settings,
    TimeProvider time,
    ILogger<DhtNode> logger)
{
    private long _lastCollect;

    public LocalStore Store => store;

    /// <summary>A joining node copies the keys it now owns (and replicates) from its successor before it is announced.</summary>
    public Task TakeOverFromAsync(NodeRef successor, CancellationToken cancellationToken = default) =>
        handoff.TakeOverFromAsync(successor, cancellationToken);

    /// <summary>One period of upkeep (see the class summary).</summary>
    public async Task SynchronizeAsync(CancellationToken cancellationToken = default)
    {
        Collect();
        if (!antiEntropy.PassDue()) return;
        await handoff.HandOffStrayKeysAsync(cancellationToken).ConfigureAwait(false);
        await antiEntropy.RunPassAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes expired members, old tombstones and keys left empty (every <see cref="StorageSettings.CollectInterval"/>).</summary>
    public int Collect(bool force = false)
    {
        if (!force && _lastCollect != 0 && time.GetElapsedTime(_lastCollect) < settings.CollectInterval) return 0;
        _lastCollect = time.GetTimestamp();
        var deleted = store.Collect(clock.NowUnixMs, (long)settings.TombstoneTtl.TotalMilliseconds);
        if (deleted > 0) LogCollected(logger, deleted);
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} keys that expired or emptied")]
    private static partial void LogCollected(ILogger logger, int count);
}
