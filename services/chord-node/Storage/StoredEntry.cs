using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// The mutable state of one key on one node, guarded by its own lock. Every change to durable state is
/// appended to the persistence layer under that lock, so the disk sees each key's changes in the order
/// they were made; each change returns the task that completes when it is durable.
/// </summary>
/// <remarks>
/// What is durable: a register's value, a counter, and set members that do not expire. A member that
/// expires (a swarm entry) is kept in memory only, unless it replaced a member that is on disk; then
/// its row is rewritten so the old durable value cannot come back after a restart.
/// A counter also remembers, in memory, whose claim of its current value it accepted (see <see cref="Claim"/>).
/// </remarks>
internal sealed class StoredEntry
{
    private readonly Lock _gate = new();
    private readonly IStorePersistence _disk;
    private readonly Dictionary<string, MemberData> _members;
    private readonly HashSet<string> _membersOnDisk;
    private long _fingerprints; // the XOR of every member's Fingerprint, kept as members change so Digest is O(1)
    private byte[]? _value;
    private long _version;
    private long _count;
    private CounterWriter? _writer;
    private bool _retired;

    public StoredEntry(string key, EntryKind kind) : this(key, kind, NoPersistence.Instance)
    {
    }

    public StoredEntry(string key, EntryKind kind, IStorePersistence disk)
    {
        Key = key;
        KeyId = Id160.Hash(key);
        Kind = kind;
        _disk = disk;
        _members = kind == EntryKind.Set ? new(StringComparer.Ordinal) : [];
        _membersOnDisk = kind == EntryKind.Set ? new(StringComparer.Ordinal) : [];
    }

    public string Key { get; }
    public Id160 KeyId { get; }
    public EntryKind Kind { get; }

    /// <summary>Starts from what the disk holds (at load, before anyone else sees the entry).</summary>
    public void Restore(EntryData stored)
    {
        lock (_gate)
        {
            (_value, _version, _count) = (stored.Value, stored.Version, stored.Count);
            foreach (var member in stored.Members ?? [])
            {
                Store(member);
                _membersOnDisk.Add(member.Member);
            }
        }
    }

    /// <summary>Merges another replica's state; returns when the merged durable state is on disk.</summary>
    public Task Merge(EntryData incoming)
    {
        if (incoming.Kind != Kind) return Task.CompletedTask; // a key never changes kind; ignore a confused writer
        lock (_gate)
        {
            ThrowIfRetired();
            switch (Kind)
            {
                case EntryKind.Register:
                    if (incoming.Version > _version ||
                        (incoming.Version == _version && incoming.Value is not null &&
                         (_value is null || incoming.Value.AsSpan().SequenceCompareTo(_value) > 0)))
                    {
                        (_value, _version) = (incoming.Value, incoming.Version);
                        return _disk.Append(new StoreChange.RegisterWritten(Key, _value, _version));
                    }
                    return _version > 0 ? _disk.Barrier() : Task.CompletedTask;
                case EntryKind.Set:
                    var durable = Task.CompletedTask;
                    foreach (var member in incoming.Members ?? [])
                    {
                        if (_members.TryGetValue(member.Member, out var current) && !Wins(member, current))
                        {
                            // Ours is newer or the same; when it is on disk, the caller may wait for it to be durable.
                            if (_membersOnDisk.Contains(member.Member)) durable = _disk.Barrier();
                            continue;
                        }
                        Store(member, current);
                        durable = Persist(member) ?? durable;
                    }
                    return durable;
                default:
                    // Max by value. A merged value carries no writer: only a claim accepted here names one, so
                    // anti-entropy can never make this replica accept a second writer's claim of a value.
                    if (incoming.Count > _count)
                    {
                        (_count, _writer) = (incoming.Count, null);
                        return _disk.Append(new StoreChange.CounterWritten(Key, _count));
                    }
                    return _count > 0 ? _disk.Barrier() : Task.CompletedTask;
            }
        }
    }

    /// <summary>Writes a member's new state to disk when it is durable or replaces a row there; null when it stays in memory.</summary>
    private Task? Persist(MemberData member)
    {
        if (member.IsDurable)
        {
            _membersOnDisk.Add(member.Member);
            return _disk.Append(new StoreChange.MemberWritten(Key, member));
        }
        return _membersOnDisk.Contains(member.Member) ? _disk.Append(new StoreChange.MemberWritten(Key, member)) : null;
    }

    private static bool Wins(MemberData a, MemberData b)
    {
        if (a.Timestamp != b.Timestamp) return a.Timestamp > b.Timestamp;
        if ((a.Value is null) != (b.Value is null)) return a.Value is null; // removal wins a tie
        return string.CompareOrdinal(a.Value, b.Value) > 0;
    }

    public (EntryData Delta, Task Durable) Put(byte[] value, long version)
    {
        lock (_gate)
        {
            ThrowIfRetired();
            if (version <= _version) version = _version + 1;
            (_value, _version) = (value, version);
            return (Snapshot(), _disk.Append(new StoreChange.RegisterWritten(Key, _value, _version)));
        }
    }

    /// <summary>Applies updates with fresh timestamps; returns the delta to replicate, the live members and when it is durable.</summary>
    public (EntryData Delta, IReadOnlyList<SetMember> Live, Task Durable) Update(IReadOnlyList<SetUpdate> updates, HybridClock clock, long nowUnixMs)
    {
        lock (_gate)
        {
            ThrowIfRetired();
            var delta = new List<MemberData>(updates.Count);
            int? live = null;
            var durable = Task.CompletedTask;
            foreach (var update in updates)
            {
                // A capped add of a new member is skipped, with nothing written, once the set is full.
                var wasLive = IsLive(update.Member, nowUnixMs);
                if (update.MaxLiveMembers is { } cap && update.Value is not null && !wasLive)
                {
                    // The map's size bounds the live members from above (it also holds tombstones and expired members), so it
                    // stands in for them until it reaches the cap; only then are the live ones counted (as applied so far).
                    live ??= _members.Count;
                    if (live >= cap) live = CountLive(nowUnixMs);
                    if (live >= cap) continue;
                }
                var timestamp = clock.Next();
                var existing = _members.TryGetValue(update.Member, out var current) ? current : null;
                if (existing is not null && existing.Timestamp >= timestamp)
                    timestamp = existing.Timestamp + 1;
                var member = new MemberData(update.Member, update.Value, timestamp, update.ExpiresUnixMs);
                Store(member, existing);
                if (live is not null) live += (IsLive(member, nowUnixMs) ? 1 : 0) - (wasLive ? 1 : 0);
                delta.Add(member);
                durable = Persist(member) ?? durable;
            }
            return (new EntryData(Key, EntryKind.Set, Members: delta), LiveMembers(nowUnixMs), durable);
        }
    }

    /// <summary>Puts <paramref name="member"/> in place of <paramref name="replaced"/> (the member it replaces, or null), keeping the digest.</summary>
    private void Store(MemberData member, MemberData? replaced = null)
    {
        if (replaced is null && _members.TryGetValue(member.Member, out var held)) replaced = held;
        if (replaced is not null) _fingerprints ^= Fingerprint(replaced);
        _fingerprints ^= Fingerprint(member);
        _members[member.Member] = member;
    }

    private bool IsLive(string member, long nowUnixMs) => _members.TryGetValue(member, out var m) && IsLive(m, nowUnixMs);

    private static bool IsLive(MemberData m, long nowUnixMs) => m.Value is not null && !(m.ExpiresUnixMs <= nowUnixMs);

    private int CountLive(long nowUnixMs)
    {
        var count = 0;
        foreach (var m in _members.Values)
            if (m.Value is not null && !(m.ExpiresUnixMs <= nowUnixMs)) count++;
        return count;
    }

    /// <summary>Takes the next value for <paramref name="writer"/> (the primary's own claim, accepted here by construction).</summary>
    public (long Value, Task Durable) Increment(CounterWriter writer)
    {
        lock (_gate)
        {
            ThrowIfRetired();
            (_count, _writer) = (_count + 1, writer);
            return (_count, _disk.Append(new StoreChange.CounterWritten(Key, _count)));
        }
    }

    /// <summary>
    /// A primary's claim of <paramref name="value"/>: accepted when it is higher than the value held, or is
    /// the very claim accepted before (a re-send); refused otherwise, that is when this replica holds the
    /// value from another writer, from an unknown one (merged, or read from disk), or a higher value. So this
    /// replica accepts each value from one writer at most. Accepted claims are durable when the task completes.
    /// </summary>
    public (bool Accepted, long Held, Task Durable) Claim(long value, CounterWriter writer)
    {
        if (Kind != EntryKind.Counter) return (false, 0, Task.CompletedTask);
        lock (_gate)
        {
            ThrowIfRetired();
            if (value > _count)
            {
                (_count, _writer) = (value, writer);
                return (true, _count, _disk.Append(new StoreChange.CounterWritten(Key, _count)));
            }
            return value == _count && writer == _writer
                ? (true, _count, _disk.Barrier())
                : (false, _count, Task.CompletedTask);
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
                live.Add(m.AsSetMember());
            }
            return live;
        }
    }

    /// <summary>
    /// Live members last written at or after <paramref name="writtenSinceUnixMs"/>, and how many of them have a value
    /// <paramref name="matches"/> accepts, counted in place (for gauges read at every metrics collection: no list is made).
    /// </summary>
    public (int Live, int Matching) CountLive(long nowUnixMs, Func<string, bool> matches, long writtenSinceUnixMs = long.MinValue)
    {
        lock (_gate)
        {
            var (live, matching) = (0, 0);
            foreach (var m in _members.Values)
            {
                if (m.Value is null || m.ExpiresUnixMs <= nowUnixMs || HybridClock.ToUnixMs(m.Timestamp) < writtenSinceUnixMs) continue;
                live++;
                if (matches(m.Value)) matching++;
            }
            return (live, matching);
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
                    return _members.Count ^ _fingerprints;
            }
        }
    }

    /// <summary>
    /// FNV-1a (64 bits) over a member's name, its timestamp and whether it is a tombstone: the same on every node and in
    /// every process (<see cref="HashCode"/> is seeded per process, so replicas' digests would never match and each
    /// anti-entropy pass would resend every set).
    /// </summary>
    private static long Fingerprint(MemberData member)
    {
        const ulong prime = 1099511628211UL;
        var hash = 14695981039346656037UL;
        foreach (var c in member.Member) hash = (hash ^ c) * prime;
        var timestamp = (ulong)member.Timestamp;
        for (var shift = 0; shift < 64; shift += 8) hash = (hash ^ ((timestamp >> shift) & 0xFF)) * prime;
        hash = (hash ^ (member.Value is null ? 1UL : 0UL)) * prime;
        return unchecked((long)hash);
    }

    /// <summary>
    /// Drops tombstones and expired members once every replica has surely seen them (from memory and,
    /// when they have a row, from disk). Returns true when a set is left empty.
    /// </summary>
    public bool Collect(long nowUnixMs, long tombstoneTtlMs)
    {
        if (Kind != EntryKind.Set) return false;
        lock (_gate)
        {
            if (_retired) return false;
            List<string>? dead = null;
            foreach (var m in _members.Values)
            {
                var gone = m.Value is null ? HybridClock.ToUnixMs(m.Timestamp) + tombstoneTtlMs < nowUnixMs
                                           : m.ExpiresUnixMs + tombstoneTtlMs < nowUnixMs;
                if (gone) (dead ??= []).Add(m.Member);
            }
            foreach (var member in dead ?? [])
            {
                if (_members.Remove(member, out var removed)) _fingerprints ^= Fingerprint(removed);
                if (_membersOnDisk.Remove(member)) _disk.Append(new StoreChange.MemberDeleted(Key, member));
            }
            return _members.Count == 0;
        }
    }

    /// <summary>
    /// Retires the entry when <paramref name="condition"/> holds under its lock: <paramref name="remove"/> takes
    /// it out of the store, its rows are deleted, and any change that still reaches it fails with
    /// <see cref="RetiredException"/> so the caller starts again on a fresh entry.
    /// </summary>
    public bool TryRetire(Func<StoredEntry, bool> condition, Action<StoredEntry> remove)
    {
        lock (_gate)
        {
            if (_retired || !condition(this)) return false;
            _retired = true;
            remove(this);
            var onDisk = Kind == EntryKind.Set ? _membersOnDisk.Count > 0 : _version > 0 || _count > 0;
            _members.Clear();
            _fingerprints = 0;
            _membersOnDisk.Clear();
            if (onDisk) _disk.Append(new StoreChange.KeyDeleted(Key));
            return true;
        }
    }

    /// <summary>True when a set has no members left (not even tombstones).</summary>
    public bool IsEmptySet => Kind == EntryKind.Set && _members.Count == 0;

    private void ThrowIfRetired()
    {
        if (_retired) throw new RetiredException();
    }

    /// <summary>The entry left the store while a change was on its way to it.</summary>
    public sealed class RetiredException() : Exception("The entry was removed from the store.");
}
