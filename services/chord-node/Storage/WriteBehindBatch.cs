using System.Diagnostics;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// What one write-behind flush sends: one entry per key, the <see cref="Stopwatch"/> timestamp of the oldest
/// change in it (for the replication lag), and links to the spans of the requests that made the changes
/// (at most <see cref="WriteBehindQueue.MaxLinks"/>; none unless tracing is on).
/// </summary>
internal sealed record WriteBehindBatch(List<EntryData> Entries, long OldestTimestamp, List<ActivityLink>? Links)
{
    public static readonly WriteBehindBatch Empty = new([], 0, null);
}
