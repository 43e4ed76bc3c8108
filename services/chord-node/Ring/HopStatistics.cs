using BitTorrent.ChordNode.Telemetry;

namespace BitTorrent.ChordNode.Ring;

/// <summary>
/// How many remote hops lookups took: a histogram, so the O(log N) claim is measured. Also published
/// as the metric <c>bittorrent.ring.lookup.hops</c> (<see cref="ChordTelemetry"/>).
/// </summary>
public sealed class HopStatistics
{
    public const int MaxTracked = 64;
    private readonly long[] _histogram = new long[MaxTracked + 1];
    private long _lookups;
    private long _hops;

    public void Record(int hops)
    {
        ChordTelemetry.LookupHops.Record(hops);
        Interlocked.Increment(ref _histogram[Math.Min(hops, MaxTracked)]);
        Interlocked.Increment(ref _lookups);
        Interlocked.Add(ref _hops, hops);
    }

    public long Lookups => Interlocked.Read(ref _lookups);
    public long TotalHops => Interlocked.Read(ref _hops);
    public double MeanHops => Lookups == 0 ? 0 : (double)TotalHops / Lookups;

    /// <summary>Lookups by hop count; the last bucket holds everything at or above <see cref="MaxTracked"/>.</summary>
    public IReadOnlyDictionary<int, long> Histogram()
    {
        var result = new SortedDictionary<int, long>();
        for (var i = 0; i <= MaxTracked; i++)
        {
            var count = Interlocked.Read(ref _histogram[i]);
            if (count > 0) result[i] = count;
        }
        return result;
    }

    public void Reset()
    {
        for (var i = 0; i <= MaxTracked; i++) Interlocked.Exchange(ref _histogram[i], 0);
        Interlocked.Exchange(ref _lookups, 0);
        Interlocked.Exchange(ref _hops, 0);
    }
}
