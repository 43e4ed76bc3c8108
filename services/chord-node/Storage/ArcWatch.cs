using BitTorrent.ChordNode.Ring;

namespace BitTorrent.ChordNode.Storage;

/// <summary>How long ago this node's arc last changed: its predecessor changed (a join or failure next to it), or it started.</summary>
internal sealed class ArcWatch
{
    private readonly TimeProvider _time;
    private long _changedAt;

    public ArcWatch(RingNode ring, TimeProvider time)
    {
        _time = time;
        _changedAt = time.GetTimestamp();
        ring.PredecessorChanged += _ => Volatile.Write(ref _changedAt, _time.GetTimestamp());
    }

    public TimeSpan SinceChange => _time.GetElapsedTime(Volatile.Read(ref _changedAt));
}
