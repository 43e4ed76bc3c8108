using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Which member owns which arc of the ring, learned from primaries' answers: each names its
/// predecessor, so the arc (predecessor, primary] is known. A cached primary is asked directly,
/// skipping the lookup; it refuses keys it no longer owns, so a stale entry costs one retry, never
/// a wrong answer.
/// </summary>
internal sealed class OwnerCache(TimeProvider time, TimeSpan timeToLive)
{
    private readonly Lock _gate = new();
    private readonly SortedList<Id160, Arc> _arcs = [];

    private sealed record Arc(Id160 From, NodeRef Owner, long ExpiresTimestamp);

    public NodeRef? Find(Id160 key)
    {
        lock (_gate)
        {
            if (_arcs.Count == 0) return null;
            // The arc that can hold the key ends at the first owner id at or after it (wrapping).
            var ids = _arcs.Keys;
            int low = 0, high = ids.Count;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (ids[middle] < key) low = middle + 1; else high = middle;
            }
            var arc = _arcs.Values[low == ids.Count ? 0 : low];
            if (!Id160.InHalfOpen(key, arc.From, arc.Owner.Id)) return null;
            if (time.GetTimestamp() > arc.ExpiresTimestamp)
            {
                _arcs.Remove(arc.Owner.Id);
                return null;
            }
            return arc.Owner;
        }
    }

    public void Learn(Id160 from, NodeRef owner)
    {
        var expires = time.GetTimestamp() + (long)(timeToLive.TotalSeconds * time.TimestampFrequency);
        lock (_gate)
        {
            // An arc that overlaps the new one is outdated (a node joined or left there).
            for (var i = _arcs.Count - 1; i >= 0; i--)
            {
                var other = _arcs.Values[i];
                if (other.Owner.Id != owner.Id &&
                    (Id160.InHalfOpen(other.Owner.Id, from, owner.Id) || Id160.InHalfOpen(owner.Id, other.From, other.Owner.Id)))
                    _arcs.RemoveAt(i);
            }
            _arcs[owner.Id] = new Arc(from, owner, expires);
        }
    }

    public void Forget(NodeRef owner)
    {
        lock (_gate) _arcs.Remove(owner.Id);
    }
}
