namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Where a node's durable keys outlive the process. Changes are appended in the order they were
/// made to each key (callers append under the key's lock) and written in batches (group commit).
/// </summary>
public interface IStorePersistence
{
    /// <summary>True when changes reach a disk; false for a node that keeps its store in memory only.</summary>
    bool IsDurable { get; }

    /// <summary>Every durable entry as last written, for the store to start from.</summary>
    IReadOnlyList<EntryData> Load();

    /// <summary>Queues a change; the task completes once it (and every change appended before it) is durable.</summary>
    Task Append(StoreChange change);

    /// <summary>Completes once every change appended so far is durable.</summary>
    Task Barrier();
}
