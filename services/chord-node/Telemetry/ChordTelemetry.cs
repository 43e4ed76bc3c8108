using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BitTorrent.ChordNode.Telemetry;

/// <summary>
/// The chord node's meter and activity source, and the instruments its hot paths record into (counters and
/// histograms: lock-free, no allocation per measurement). Gauges that read the node's state when a reader
/// collects are in <see cref="ChordNodeGauges"/>. Names follow the OpenTelemetry semantic conventions where
/// one exists (<c>rpc.client.duration</c>), else <c>bittorrent.*</c>; durations are in seconds.
/// </summary>
public static class ChordTelemetry
{
    public const string MeterName = "BitTorrent.ChordNode";
    public const string ActivitySourceName = "BitTorrent.ChordNode";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Spans the node starts itself: a write-behind flush, linked to the announces it carries.</summary>
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    public static readonly Histogram<int> LookupHops = Meter.CreateHistogram(
        "bittorrent.ring.lookup.hops", "{hop}", "Remote hops of a Chord lookup (find_successor)", tags: null,
        new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16] });

    /// <summary>Ring and storage RPC to another member, by method (<c>rpc.method</c>); failed calls carry <c>error.type</c>.</summary>
    public static readonly Histogram<double> RpcDuration = Meter.CreateHistogram(
        "rpc.client.duration", "s", "Duration of ring RPC calls to other members", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    /// <summary>From the oldest change of a write-behind batch being applied here to its flush to the replicas having ended.</summary>
    public static readonly Histogram<double> ReplicationLag = Meter.CreateHistogram(
        "bittorrent.ring.replication.lag", "s", "Age of the oldest change of a write-behind batch when the flush that sent it to the replicas ended", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    /// <summary>One group commit: a transaction with its fsync.</summary>
    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram(
        "bittorrent.ring.store.commit.duration", "s", "Duration of one group commit to the node's store (one transaction, one fsync)", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });

    public static readonly Histogram<int> CommitSize = Meter.CreateHistogram(
        "bittorrent.ring.store.commit.changes", "{change}", "Changes written by one group commit", tags: null,
        new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });

    /// <summary>Announces answered, by <c>bittorrent.announce.event</c>; refused ones carry <c>error.type</c>.</summary>
    public static readonly Counter<long> Announces = Meter.CreateCounter<long>(
        "bittorrent.tracker.announces", "{announce}", "BitTorrent announces answered by this node");

    public static readonly Counter<long> Scrapes = Meter.CreateCounter<long>(
        "bittorrent.tracker.scrapes", "{scrape}", "BitTorrent scrapes answered by this node");

    /// <summary>Tasks handed to volunteers, by <c>bittorrent.volunteer.action</c> (<c>fetch</c> or <c>drop</c>).</summary>
    public static readonly Counter<long> VolunteerTasks = Meter.CreateCounter<long>(
        "bittorrent.tracker.volunteer.tasks", "{task}", "Fetch and drop tasks handed to volunteers by this node");

    /// <summary>Seconds since a Stopwatch timestamp, for the histograms above.</summary>
    public static double SecondsSince(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
}
