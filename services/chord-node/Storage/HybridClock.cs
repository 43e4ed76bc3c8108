namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Versions and timestamps: microseconds since the Unix epoch, strictly increasing on this node
/// even when the wall clock steps back, so a primary's successive writes are always ordered.
/// </summary>
public sealed class HybridClock(TimeProvider time)
{
    private long _last;

    public long Next()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last) return next;
        }
    }

    public long NowUnixMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    public static long ToUnixMs(long ticks) => ticks / 1000;
}
