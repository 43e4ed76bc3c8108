using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

public enum EntryKind { Register, Set, Counter }

/// <summary>
/// A key's replicated state as it travels between nodes. Every kind merges so replicas converge
/// whatever order updates arrive in: registers by version (last writer wins), sets member by
/// member by timestamp (a removal is a tombstone), counters by maximum.
/// </summary>
public sealed record EntryData(
    string Key,
    EntryKind Kind,
    byte[]? Value = null,
    long Version = 0,
    IReadOnlyList<MemberData>? Members = null,
    long Count = 0);

/// <summary>One member of a set: a null value is a tombstone. Timestamps are hybrid-clock ticks.</summary>
public sealed record MemberData(string Member, string? Value, long Timestamp, long? ExpiresUnixMs);

/// <summary>A short fingerprint of an entry, so replicas compare state without sending it.</summary>
public sealed record KeyDigest(string Key, long Digest);

/// <summary>
/// The mutable state of one key on one node, guarded by its own lock.
/// </summary>
internal sealed class StoredEntry(string key, EntryKind kind)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemberData> _members = kind == EntryKind.Set ? new(StringComparer.Ordinal) : [];
    private byte[]? _value;
    private long _version;
    private long _count;

    public string Key { get; } = key;
    public Id160 KeyId { get; } = Id160.Hash(key);
    public EntryKind Kind { get; } = kind;

    public void Merge(EntryData incoming)
    {
        if (incoming.Kind != Kind) return; // a key never changes kind; ignore a confused writer
        lock (_gate)
        {
            switch (Kind)
            {
                case EntryKind.Register:
                    if (incoming.Version > _version ||
                        (incoming.Version == _version && incoming.Value is not null &&
                         (_value is null || incoming.Value.AsSpan().SequenceCompareTo(_value) > 0)))
                        (_value, _version) = (incoming.Value, incoming.Version);
                    break;
                case EntryKind.Set:
                    foreach (var member in incoming.Members ?? []) MergeMember(member);
                    break;
                case EntryKind.Counter:
                    _count = Math.Max(_count, incoming.Count);
                    break;
            }
        }
    }

    private void MergeMember(MemberData incoming)
    {
        if (!_members.TryGetValue(incoming.Member, out var current) || Wins(incoming, current))
            _members[incoming.Member] = incoming;
    }

    private static bool Wins(MemberData a, MemberData b)
    {
        if (a.Timestamp != b.Timestamp) return a.Timestamp > b.Timestamp;
        if ((a.Value is null) != (b.Value is null)) return a.Value is null; // removal wins a tie
        return string.CompareOrdinal(a.Value, b.Value) > 0;
    }

    public EntryData Put(byte[] value, long version)
    {
        lock (_gate)
        {
            if (version <= _version) version = _version + 1;
            (_value, _version) = (value, version);
            return Snapshot();
        }
    }

    /// <summary>Applies updates with fresh timestamps; returns the delta to replicate and the live members.</summary>
    public (EntryData Delta, IReadOnlyList<SetMember> Live) Update(IReadOnlyList<SetUpdate> updates, HybridClock clock, long nowUnixMs)
    {
        lock (_gate)
        {
            var delta = new List<MemberData>(updates.Count);
            int? live = null;
            foreach (var update in updates)
            {
                // A capped add of a new member is skipped, with nothing written, once the set is full.
                if (update.MaxLiveMembers is { } cap && update.Value is not null && !IsLive(update.Member, nowUnixMs))
                {
                    live ??= CountLive(nowUnixMs);
                    if (live >= cap) continue;
                    live++;
                }
                else if (live is not null && update.Value is null && IsLive(update.Member, nowUnixMs))
                {
                    live--;
                }
                var timestamp = clock.Next();
                if (_members.TryGetValue(update.Member, out var current) && current.Timestamp >= timestamp)
                    timestamp = current.Timestamp + 1;
                var member = new MemberData(update.Member, update.Value, timestamp, update.ExpiresUnixMs);
                _members[update.Member] = member;
                delta.Add(member);
            }
            return (new EntryData(Key, EntryKind.Set, Members: delta), LiveMembers(nowUnixMs));
        }
    }

    private bool IsLive(string member, long nowUnixMs) =>
        _members.TryGetValue(member, out var m) && m.Value is not null && !(m.ExpiresUnixMs <= nowUnixMs);

    private int CountLive(long nowUnixMs)
    {
        var count = 0;
        foreach (var m in _members.Values)
            if (m.Value is not null && !(m.ExpiresUnixMs <= nowUnixMs)) count++;
        return count;
    }

    public (long Value, EntryData Delta) Increment()
    {
        lock (_gate)
        {
            _count++;
            return (_count, new EntryData(Key, EntryKind.Counter, Count: _count));
        }
    }

    public byte[]? Value { get { lock (_gate) return _value; } }
    public long Count { get { lock (_gate) return _count; } }

    public IReadOnlyList<SetMember> LiveMembers(long nowUnixMs)
    {
        lock (_gate)
        {
            var live = new List<SetMember>(_members.Count);
            foreach (var m in _members.Values)
            {
                if (m.Value is null || m.ExpiresUnixMs <= nowUnixMs) continue;
                live.Add(new SetMember(m.Member, m.Value, HybridClock.ToUnixMs(m.Timestamp), m.ExpiresUnixMs));
            }
            return live;
        }
    }

    public EntryData Snapshot()
    {
        lock (_gate)
        {
            return Kind switch
            {
                EntryKind.Register => new EntryData(Key, Kind, _value, _version),
                EntryKind.Set => new EntryData(Key, Kind, Members: [.. _members.Values]),
                _ => new EntryData(Key, Kind, Count: _count),
            };
        }
    }

    /// <summary>Order-independent fingerprint of the state.</summary>
    public long Digest()
    {
        lock (_gate)
        {
            switch (Kind)
            {
                case EntryKind.Register: return _version;
                case EntryKind.Counter: return _count;
                default:
                    long digest = _members.Count;
                    foreach (var m in _members.Values)
                        digest ^= (long)HashCode.Combine(m.Member, m.Timestamp, m.Value is null) * unchecked((long)0x9E3779B97F4A7C15UL);
                    return digest;
            }
        }
    }

    /// <summary>Drops tombstones and expired members once every replica has surely seen them.</summary>
    public void Collect(long nowUnixMs, long tombstoneTtlMs)
    {
        if (Kind != EntryKind.Set) return;
        lock (_gate)
        {
            List<string>? dead = null;
            foreach (var m in _members.Values)
            {
                var gone = m.Value is null ? HybridClock.ToUnixMs(m.Timestamp) + tombstoneTtlMs < nowUnixMs
                                           : m.ExpiresUnixMs + tombstoneTtlMs < nowUnixMs;
                if (gone) (dead ??= []).Add(m.Member);
            }
            foreach (var member in dead ?? []) _members.Remove(member);
        }
    }
}
