using System.Collections.Concurrent;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>The keys this node holds, as primary or replica.</summary>
public sealed class LocalStore
{
    private readonly ConcurrentDictionary<string, StoredEntry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    internal StoredEntry GetOrAdd(string key, EntryKind kind) =>
        _entries.GetOrAdd(key, static (k, kind) => new StoredEntry(k, kind), kind);

    internal StoredEntry? Find(string key) => _entries.GetValueOrDefault(key);

    internal IEnumerable<StoredEntry> Entries => _entries.Values;

    public bool Contains(string key) => _entries.ContainsKey(key);

    public void Merge(EntryData data) => GetOrAdd(data.Key, data.Kind).Merge(data);

    public void Merge(IEnumerable<EntryData> entries)
    {
        foreach (var entry in entries) Merge(entry);
    }

    public EntryData? Snapshot(string key) => Find(key)?.Snapshot();

    /// <summary>Entries whose key id lies in (from, to].</summary>
    public IReadOnlyList<EntryData> Range(Id160 from, Id160 to) =>
        _entries.Values.Where(e => Id160.InHalfOpen(e.KeyId, from, to)).Select(e => e.Snapshot()).ToList();

    public IEnumerable<string> Keys => _entries.Keys;
}
