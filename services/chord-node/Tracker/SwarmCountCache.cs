using System.Collections.Concurrent;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// Seeder and leecher counts this node learned recently (from announces, joins and reads), so listing
/// the catalog does not cost one swarm read per file every time. Counts may lag by the cache lifetime.
/// </summary>
internal sealed class SwarmCountCache(TimeProvider time, TimeSpan lifetime)
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<Id160, Entry> _counts = new();
    private int _added;

    private readonly record struct Entry(int Seeders, int Leechers, long Timestamp);

    public void Set(Id160 infoHash, int seeders, int leechers)
    {
        if (lifetime <= TimeSpan.Zero) return;
        var entry = new Entry(seeders, leechers, time.GetTimestamp());
        if (_counts.TryGetValue(infoHash, out _))
        {
            _counts[infoHash] = entry;
            return;
        }
        // A crude bound: forgetting everything now and then only costs a few extra reads. (Counted here,
        // not with ConcurrentDictionary.Count, which takes every lock: this runs on every announce.)
        if (Interlocked.Increment(ref _added) > MaxEntries)
        {
            _counts.Clear();
            Interlocked.Exchange(ref _added, 0);
        }
        _counts[infoHash] = entry;
    }

    public bool TryGet(Id160 infoHash, out int seeders, out int leechers)
    {
        if (_counts.TryGetValue(infoHash, out var entry) && time.GetElapsedTime(entry.Timestamp) < lifetime)
        {
            (seeders, leechers) = (entry.Seeders, entry.Leechers);
            return true;
        }
        (seeders, leechers) = (0, 0);
        return false;
    }
}
