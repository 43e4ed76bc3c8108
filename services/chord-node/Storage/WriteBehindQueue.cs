using System.Diagnostics;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Set changes a primary has applied and answered but not yet sent to its replicas (write-behind).
/// Changes to one key coalesce into one entry, and to one member into its latest version, so a flush
/// sends each replica one merge however many announces arrived since the last one.
/// </summary>
/// <remarks>
/// Only for soft state: whatever is queued when the primary dies is lost (a few milliseconds of
/// announces, which clients repeat every interval anyway). Anti-entropy repairs a replica that missed a flush.
/// </remarks>
internal sealed class WriteBehindQueue
{
    /// <summary>At most this many requests behind one batch are remembered, for the flush's trace links.</summary>
    public const int MaxLinks = 32;

    private readonly Lock _gate = new();
    private Dictionary<string, Dictionary<string, MemberData>> _pending = new(StringComparer.Ordinal);
    private int _members;
    private long _oldest;
    private List<ActivityLink>? _links;

    /// <summary>Members waiting to be replicated.</summary>
    public int Count
    {
        get { lock (_gate) return _members; }
    }

    /// <summary>Queues a change; <paramref name="cause"/> is the span of the request that made it, when traced.</summary>
    public void Add(EntryData delta, ActivityContext cause = default)
    {
        if (delta.Kind != EntryKind.Set || delta.Members is not { Count: > 0 } members) return;
        lock (_gate)
        {
            if (_pending.Count == 0) _oldest = Stopwatch.GetTimestamp();
            if (cause != default && (_links ??= []).Count < MaxLinks) _links.Add(new ActivityLink(cause));
            if (!_pending.TryGetValue(delta.Key, out var pending))
                _pending[delta.Key] = pending = new Dictionary<string, MemberData>(StringComparer.Ordinal);
            foreach (var member in members)
            {
                if (pending.TryGetValue(member.Member, out var queued) && queued.Timestamp >= member.Timestamp) continue;
                if (pending.TryAdd(member.Member, member)) _members++;
                else pending[member.Member] = member;
            }
        }
    }

    /// <summary>Takes everything queued, one entry per key, with when the oldest change was queued and the requests behind them.</summary>
    public WriteBehindBatch Drain()
    {
        Dictionary<string, Dictionary<string, MemberData>> taken;
        long oldest;
        List<ActivityLink>? links;
        lock (_gate)
        {
            if (_members == 0) return WriteBehindBatch.Empty;
            taken = _pending;
            (oldest, links) = (_oldest, _links);
            _pending = new Dictionary<string, Dictionary<string, MemberData>>(StringComparer.Ordinal);
            _members = 0;
            _links = null;
        }
        var entries = new List<EntryData>(taken.Count);
        foreach (var (key, members) in taken)
            entries.Add(new EntryData(key, EntryKind.Set, Members: [.. members.Values]));
        return new WriteBehindBatch(entries, oldest, links);
    }
}
