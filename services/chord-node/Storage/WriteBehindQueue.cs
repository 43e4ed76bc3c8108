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
    private readonly Lock _gate = new();
    private Dictionary<string, Dictionary<string, MemberData>> _pending = new(StringComparer.Ordinal);
    private int _members;

    /// <summary>Members waiting to be replicated.</summary>
    public int Count
    {
        get { lock (_gate) return _members; }
    }

    public void Add(EntryData delta)
    {
        if (delta.Kind != EntryKind.Set || delta.Members is not { Count: > 0 } members) return;
        lock (_gate)
        {
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

    /// <summary>Takes everything queued, one entry per key.</summary>
    public List<EntryData> Drain()
    {
        Dictionary<string, Dictionary<string, MemberData>> taken;
        lock (_gate)
        {
            if (_members == 0) return [];
            taken = _pending;
            _pending = new Dictionary<string, Dictionary<string, MemberData>>(StringComparer.Ordinal);
            _members = 0;
        }
        var entries = new List<EntryData>(taken.Count);
        foreach (var (key, members) in taken)
            entries.Add(new EntryData(key, EntryKind.Set, Members: [.. members.Values]));
        return entries;
    }
}
