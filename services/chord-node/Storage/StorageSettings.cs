namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// How replicated storage behaves, taken from the "Chord" options in one place when the node is composed
/// (tests build it directly). Immutable, shared by the storage parts.
/// </summary>
public sealed record StorageSettings
{
    /// <summary>Most digests one anti-entropy request may carry (larger requests are refused).</summary>
    public const int MaxSyncPageKeys = 1024;

    /// <summary>Each key lives on its successor and the next Replicas-1 nodes.</summary>
    public int Replicas { get; init; } = 3;

    /// <summary>How long a write-behind change waits for others to join its batch.</summary>
    public TimeSpan WriteBehindDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest time between two full replica synchronisations when the neighbourhood is unchanged.</summary>
    public TimeSpan FullSyncInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long tombstones and expired set members are kept before they are collected (every replica has seen them by then).</summary>
    public TimeSpan TombstoneTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often expired members and empty keys are looked for.</summary>
    public TimeSpan CollectInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Delay between attempts when every candidate for a key failed (the ring is repairing).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a counter increment keeps trying to reach every replica before it gives up unacknowledged.</summary>
    public TimeSpan CounterReplicationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after its predecessor changed (a join or failure nearby, or its own start) a node is not yet
    /// sure of its arc: a read that finds nothing there asks the next holders before the key is called missing.
    /// </summary>
    public TimeSpan ArcSettleTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Digests per anti-entropy request.</summary>
    public int SyncPageKeys { get; init; } = 512;

    /// <summary>About the most bytes of entries in one answer or merge of anti-entropy and handoff (at least one entry always goes).</summary>
    public long PageBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>Most entries in one page of a range (join takeover).</summary>
    public int RangePageEntries { get; init; } = 1024;
}
