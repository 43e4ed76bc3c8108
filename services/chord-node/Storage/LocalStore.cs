using System.Collections.Concurrent;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// The keys this node holds, as primary or replica: all in memory (reads never touch the disk), with
/// durable state written through <see cref="IStorePersistence"/> and loaded from it at start, so a node
/// restarted with its data serves its keys at once.
/// </summary>
public sealed class LocalStore
{
    private readonly ConcurrentDictionary<string, StoredEntry> _entries = new(StringComparer.Ordinal);
    private readonly IStorePersistence _disk;

    /// <summary>A store in memory only.</summary>
    public LocalStore() : this(NoPersistence.Instance)
    {
    }

    public LocalStore(IStorePersistence disk)
    {
        _disk = disk;
        foreach (var stored in disk.Load())
        {
            var entry = new StoredEntry(stored.Key, stored.Kind, disk);
            entry.Restore(stored);
            _entries[stored.Key] = entry;
        }
        Loaded = _entries.Count;
    }

    /// <summary>True when durable keys outlive the process.</summary>
    public bool IsDurable => _disk.IsDurable;

    /// <summary>Keys read from disk at start.</summary>
    public int Loaded { get; }

    public int Count => _entries.Count;

    internal StoredEntry GetOrAdd(string key, EntryKind kind) =>
        _entries.GetOrAdd(key, static (k, state) => new StoredEntry(k, state.kind, state.disk), (kind, disk: _disk));

    internal StoredEntry? Find(string key) => _entries.GetValueOrDefault(key);

    internal IEnumerable<StoredEntry> Entries => _entries.Values;

    public bool Contains(string key) => _entries.ContainsKey(key);

    public IEnumerable<string> Keys => _entries.Keys;

    // Each change below runs again on a fresh entry when the one it found was retired under it
    // (collected or handed off at that moment), so no acknowledged change lands on a removed entry.

    internal (EntryData Delta, Task Durable) Put(string key, byte[] value, long version)
    {
        while (true)
        {
            try { return GetOrAdd(key, EntryKind.Register).Put(value, version); }
            catch (StoredEntry.RetiredException) { }
        }
    }

    internal (EntryData Delta, IReadOnlyList<SetMember> Live, Task Durable) UpdateSet(string key, IReadOnlyList<SetUpdate> updates, HybridClock clock, long nowUnixMs)
    {
        while (true)
        {
            try { return GetOrAdd(key, EntryKind.Set).Update(updates, clock, nowUnixMs); }
            catch (StoredEntry.RetiredException) { }
        }
    }

    internal (long Value, Task Durable) Increment(string key, CounterWriter writer)
    {
        while (true)
        {
            try { return GetOrAdd(key, EntryKind.Counter).Increment(writer); }
            catch (StoredEntry.RetiredException) { }
        }
    }

    /// <summary>Applies a primary's claim of a counter value (<see cref="StoredEntry.Claim"/>); an accepted claim is answered once durable.</summary>
    public async Task<CounterClaimReply> ClaimAsync(CounterClaim claim)
    {
        while (true)
        {
            try
            {
                var (accepted, held, durable) = GetOrAdd(claim.Key, EntryKind.Counter).Claim(claim.Value, claim.Writer);
                await durable.ConfigureAwait(false);
                return new CounterClaimReply(accepted, held);
            }
            catch (StoredEntry.RetiredException) { }
        }
    }

    /// <summary>Merges one entry; the task completes when the merged durable state is on disk.</summary>
    public Task MergeAsync(EntryData data)
    {
        while (true)
        {
            try { return GetOrAdd(data.Key, data.Kind).Merge(data); }
            catch (StoredEntry.RetiredException) { }
        }
    }

    /// <summary>Merges entries; the task completes when all their durable state is on disk.</summary>
    public Task MergeAsync(IEnumerable<EntryData> entries)
    {
        // Batches commit in order, so the last change still pending covers every one before it.
        var durable = Task.CompletedTask;
        foreach (var entry in entries)
        {
            var merged = MergeAsync(entry);
            if (!merged.IsCompleted || merged.IsFaulted) durable = merged;
        }
        return durable;
    }

    public EntryData? Snapshot(string key) => Find(key)?.Snapshot();

    /// <summary>
    /// One page of the entries whose key id lies in (from, to], in ring order from <paramref name="from"/>
    /// (ties by key), starting after the key <paramref name="after"/>: at most <paramref name="maxEntries"/>
    /// and about <paramref name="maxBytes"/> (always at least one entry, so every page makes progress).
    /// </summary>
    public RangePage Range(Id160 from, Id160 to, string? after, int maxEntries, long maxBytes)
    {
        var start = after is null ? default((Id160, string)?) : (Id160.Hash(after) - from, after);
        var inRange = new List<(Id160 Distance, StoredEntry Entry)>();
        foreach (var entry in _entries.Values)
        {
            if (!Id160.InHalfOpen(entry.KeyId, from, to)) continue;
            var distance = entry.KeyId - from;
            if (start is { } s && Compare(distance, entry.Key, s.Item1, s.Item2) <= 0) continue;
            inRange.Add((distance, entry));
        }
        inRange.Sort(static (a, b) => Compare(a.Distance, a.Entry.Key, b.Distance, b.Entry.Key));
        var page = new List<EntryData>();
        long bytes = 0;
        foreach (var (_, entry) in inRange)
        {
            var data = entry.Snapshot();
            bytes += data.EstimatedBytes();
            if (page.Count > 0 && (page.Count >= maxEntries || bytes > maxBytes))
                return new RangePage(page, page[^1].Key);
            page.Add(data);
        }
        return new RangePage(page, null);
    }

    private static int Compare(Id160 distanceA, string keyA, Id160 distanceB, string keyB)
    {
        var byDistance = distanceA.CompareTo(distanceB);
        return byDistance != 0 ? byDistance : string.CompareOrdinal(keyA, keyB);
    }

    /// <summary>
    /// Drops tombstones and expired members past the grace period, and deletes keys left empty, from
    /// memory and disk. Returns how many keys were deleted.
    /// </summary>
    public int Collect(long nowUnixMs, long tombstoneTtlMs)
    {
        var deleted = 0;
        foreach (var entry in _entries.Values)
        {
            if (!entry.Collect(nowUnixMs, tombstoneTtlMs)) continue;
            if (entry.TryRetire(static e => e.IsEmptySet, Detach)) deleted++;
        }
        return deleted;
    }

    /// <summary>Deletes a key from memory and disk (after it was handed off to the nodes that hold it now).</summary>
    public bool Remove(string key) => Find(key) is { } entry && entry.TryRetire(static _ => true, Detach);

    /// <summary>Takes a retired entry out of the map (called under the entry's lock by <see cref="StoredEntry.TryRetire"/>).</summary>
    internal void Detach(StoredEntry entry) => _entries.TryRemove(new KeyValuePair<string, StoredEntry>(entry.Key, entry));
}
