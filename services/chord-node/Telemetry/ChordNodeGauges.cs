using System.Diagnostics.Metrics;
using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Tracker;
using Microsoft.Extensions.Options;

namespace BitTorrent.ChordNode.Telemetry;

/// <summary>
/// The node's state as gauges, read only when a reader collects (a Prometheus scrape, an OTLP export):
/// ring members it knows, keys it holds, the write-behind queue, operations it forwarded, and the swarms it is
/// primary for with their online peers (announced within the window of <see cref="SwarmLiveness"/>, as the announce
/// and scrape counts and the catalog count them). Every swarm has one primary, so summing over the ring counts each once.
/// </summary>
public sealed class ChordNodeGauges
{
    private static readonly KeyValuePair<string, object?> Seeders = new("bittorrent.peer.role", "seeder");
    private static readonly KeyValuePair<string, object?> Leechers = new("bittorrent.peer.role", "leecher");

    private readonly RingNode _ring;
    private readonly LocalStore _store;
    private readonly TimeProvider _time;
    private readonly TrackerOptions _tracker;
    private readonly Lock _gate = new();
    private SwarmCensus _census;
    private long _censusAt = long.MinValue;

    public ChordNodeGauges(IMeterFactory meters, RingNode ring, LocalStore store, WriteBehindReplicator writeBehind, DhtRouter router, TimeProvider time,
        IOptions<TrackerOptions> tracker)
    {
        _ring = ring;
        _store = store;
        _time = time;
        _tracker = tracker.Value;
        var meter = meters.Create(ChordTelemetry.MeterName);
        meter.CreateObservableGauge("bittorrent.ring.members", KnownMembers, "{node}",
            "Ring members this node knows: itself, its predecessor, successors and fingers (the whole ring when it is small)");
        meter.CreateObservableGauge("bittorrent.ring.keys", () => store.Count, "{key}", "Keys this node holds, as primary or replica");
        meter.CreateObservableGauge("bittorrent.ring.write_behind.queue", () => writeBehind.Pending, "{change}",
            "Write-behind changes applied here and not yet sent to the replicas");
        meter.CreateObservableCounter("bittorrent.ring.operations.forwarded", () => router.Forwarded, "{operation}",
            "Storage operations this node sent on to the key's primary");
        meter.CreateObservableGauge("bittorrent.tracker.swarms", () => Census().Swarms, "{swarm}",
            "Swarms with online peers whose primary is this node");
        meter.CreateObservableGauge("bittorrent.tracker.peers", () =>
        {
            var census = Census();
            return new[] { new Measurement<int>(census.Seeders, Seeders), new Measurement<int>(census.Peers - census.Seeders, Leechers) };
        }, "{peer}", "Online peers in the swarms whose primary is this node, by bittorrent.peer.role");
    }

    private int KnownMembers()
    {
        var known = new HashSet<Id160> { _ring.Self.Id };
        if (_ring.Predecessor is { } predecessor) known.Add(predecessor.Id);
        foreach (var successor in _ring.Successors) known.Add(successor.Id);
        foreach (var finger in _ring.Fingers()) known.Add(finger.Id);
        return known.Count;
    }

    /// <summary>Counts owned swarms and their peers, at most once a second (both gauges read it in one collection).</summary>
    private SwarmCensus Census()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_censusAt != long.MinValue && _time.GetElapsedTime(_censusAt, now) < TimeSpan.FromSeconds(1)) return _census;
            var utcNow = _time.GetUtcNow();
            var nowUnixMs = utcNow.ToUnixTimeMilliseconds();
            var onlineSince = SwarmLiveness.At(utcNow, _tracker).OnlineSinceUnixMs;
            var census = new SwarmCensus();
            foreach (var entry in _store.Entries)
            {
                if (entry.Kind != EntryKind.Set || !entry.Key.StartsWith(SwarmKey.Prefix, StringComparison.Ordinal) || !_ring.Owns(entry.KeyId)) continue;
                var (live, seeders) = entry.CountLive(nowUnixMs, SwarmEntry.IsSeederJson, onlineSince);
                if (live == 0) continue;
                census.Swarms++;
                census.Peers += live;
                census.Seeders += seeders;
            }
            (_census, _censusAt) = (census, now);
            return census;
        }
    }

    private struct SwarmCensus
    {
        public int Swarms;
        public int Peers;
        public int Seeders;
    }
}
