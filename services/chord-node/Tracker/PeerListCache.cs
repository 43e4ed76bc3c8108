using System.Collections.Concurrent;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// Each swarm's peers as parsed entries, so an announce does not parse every stored peer it hands out.
/// A parsed entry is reused only while the stored value is the very same (the store keeps a member's value
/// until it is written again), so the answer is always the swarm as stored: nothing is served stale, and
/// an announce parses at most the entries that changed since the last one.
/// </summary>
internal sealed class PeerListCache
{
    private const int MaxSwarms = 100_000;
    private readonly ConcurrentDictionary<Id160, ParsedSwarm> _swarms = new();
    private int _added;

    private sealed class ParsedSwarm
    {
        public readonly Lock Gate = new();
        public readonly Dictionary<string, (string Value, SwarmEntry? Entry)> Members = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// Up to <paramref name="wanted"/> peers of the swarm other than <paramref name="exclude"/>, starting
    /// at a random offset so repeated announces spread over the swarm.
    /// </summary>
    public List<SwarmEntry> Select(Id160 infoHash, IReadOnlyList<SetMember> members, string exclude, int wanted)
    {
        var peers = new List<SwarmEntry>(Math.Min(wanted, members.Count));
        if (members.Count == 0 || wanted == 0) return peers;
        var swarm = Swarm(infoHash);
        lock (swarm.Gate)
        {
            // Members that left accumulate until the map is clearly larger than the swarm; then start over.
            if (swarm.Members.Count > 2 * members.Count + 16) swarm.Members.Clear();
            var start = Random.Shared.Next(members.Count);
            for (var i = 0; i < members.Count && peers.Count < wanted; i++)
            {
                var candidate = members[(start + i) % members.Count];
                if (string.Equals(candidate.Member, exclude, StringComparison.Ordinal)) continue;
                if (!swarm.Members.TryGetValue(candidate.Member, out var parsed) || parsed.Value != candidate.Value)
                    swarm.Members[candidate.Member] = parsed = (candidate.Value, SwarmEntry.FromJson(candidate.Value));
                if (parsed.Entry is { } entry) peers.Add(entry);
            }
        }
        return peers;
    }

    private ParsedSwarm Swarm(Id160 infoHash)
    {
        if (_swarms.TryGetValue(infoHash, out var swarm)) return swarm;
        // Swarms come and go: never grow without bound (forgetting only costs parsing again).
        if (Interlocked.Increment(ref _added) > MaxSwarms)
        {
            _swarms.Clear();
            Interlocked.Exchange(ref _added, 0);
        }
        return _swarms.GetOrAdd(infoHash, static _ => new ParsedSwarm());
    }
}
