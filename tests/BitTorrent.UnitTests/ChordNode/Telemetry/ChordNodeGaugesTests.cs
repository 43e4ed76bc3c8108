using System.Diagnostics.Metrics;
using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using BitTorrent.ChordNode.Telemetry;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Tracker;
using BitTorrent.UnitTests.ChordNode.Storage;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Telemetry;

public sealed class ChordNodeGaugesTests
{
    private static readonly NodeRef Self = NodeRef.ForUrl("http://self");
    private static readonly NodeRef[] Successors = [NodeRef.ForUrl("http://next-1"), NodeRef.ForUrl("http://next-2")];

    [Fact]
    public async Task Gauges_read_the_swarms_this_node_is_primary_for_their_live_peers_by_role_its_keys_and_the_ring_it_knows()
    {
        var rig = new StorageRig(Self, Successors, new StorageSettings { WriteBehindDelay = TimeSpan.FromSeconds(30) });
        var expires = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds();
        // Two swarms: one with two seeders and a leecher, one with a leecher; a catalog key is not a swarm.
        await Announce(rig, "a", "s1", seeder: true, expires);
        await Announce(rig, "a", "s2", seeder: true, expires);
        await Announce(rig, "a", "l1", seeder: false, expires);
        await Announce(rig, "b", "l2", seeder: false, expires);
        await rig.Primary.ApplyAsPrimaryAsync(new DhtOperation("catalog/0", DhtOperationKind.UpdateSet, Updates: [SetUpdate.Add("x", "{}")]));
        // An expired entry does not count, nor does its swarm.
        await Announce(rig, "c", "gone", seeder: true, DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds());

        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _ = new ChordNodeGauges(services.GetRequiredService<IMeterFactory>(), rig.Ring, rig.Store, rig.WriteBehind, rig.Router, TimeProvider.System,
            Options.Create(new TrackerOptions()));
        var read = Collect();

        Assert.Equal(2, read[("bittorrent.tracker.swarms", "")]);
        Assert.Equal(2, read[("bittorrent.tracker.peers", "seeder")]);
        Assert.Equal(2, read[("bittorrent.tracker.peers", "leecher")]);
        Assert.Equal(4, read[("bittorrent.ring.keys", "")]); // three swarms (one all expired) and the catalog
        Assert.Equal(3, read[("bittorrent.ring.members", "")]); // itself and two successors
        Assert.Equal(5, read[("bittorrent.ring.write_behind.queue", "")]); // five announces waiting for their flush
    }

    [Fact]
    public async Task Peers_whose_announce_is_overdue_are_not_counted_though_their_entries_have_not_expired()
    {
        var rig = new StorageRig(Self, Successors, new StorageSettings { WriteBehindDelay = TimeSpan.FromSeconds(30) });
        var options = new TrackerOptions();
        var expires = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds(); // live for minutes yet
        await Announce(rig, "a", "s1", seeder: true, expires);
        await Announce(rig, "a", "l1", seeder: false, expires);

        // Read just after the online window (interval plus slack) has passed since these announces.
        var later = new ManualTimeProvider(DateTimeOffset.UtcNow + SwarmLiveness.Window(options) + TimeSpan.FromSeconds(1));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _ = new ChordNodeGauges(services.GetRequiredService<IMeterFactory>(), rig.Ring, rig.Store, rig.WriteBehind, rig.Router, later, Options.Create(options));
        var read = Collect();

        Assert.Equal(0, read[("bittorrent.tracker.swarms", "")]);
        Assert.Equal(0, read[("bittorrent.tracker.peers", "seeder")]);
        Assert.Equal(0, read[("bittorrent.tracker.peers", "leecher")]);
        Assert.Equal(1, read[("bittorrent.ring.keys", "")]); // the swarm key is still held
    }

    private static Task Announce(StorageRig rig, string torrent, string peer, bool seeder, long expiresUnixMs) =>
        rig.Primary.ApplyAsPrimaryAsync(new DhtOperation(SwarmKey.Prefix + torrent, DhtOperationKind.UpdateSet,
            Updates: [SetUpdate.AddCapped(peer, new SwarmEntry(seeder, peer, "127.0.0.1", 7000).ToJson(), expiresUnixMs, 100)], WriteBehind: true));

    /// <summary>The gauges' values now, by instrument name and bittorrent.peer.role ("" when untagged).</summary>
    private static Dictionary<(string, string), long> Collect()
    {
        var values = new Dictionary<(string, string), long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // Only gauges of a meter made by a factory: other tests' nodes record into the static meter at the same time.
                if (instrument.Meter.Name == ChordTelemetry.MeterName && instrument.Meter.Scope is not null) l.EnableMeasurementEvents(instrument);
            },
        };
        void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var role = "";
            foreach (var tag in tags) if (tag.Key == "bittorrent.peer.role") role = (string)tag.Value!;
            values[(instrument.Name, role)] = value;
        }
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
