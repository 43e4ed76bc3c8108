using System.Diagnostics.Metrics;
using BitTorrent.IntegrationTests.Transfer;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Telemetry;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.DependencyInjection;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Telemetry;

/// <summary>
/// The peer's transfer meters read real engines on 127.0.0.1: a leecher that meets a corrupt seeder first and an
/// honest one after, and the honest seeder.
/// </summary>
public sealed class PeerGaugesTests
{
    [Fact]
    public async Task A_peers_meters_count_the_bytes_it_moved_the_pieces_it_verified_and_failed_its_connections_and_its_downloads_by_state()
    {
        await using var kit = new TransferTestKit();
        var (honest, torrent, _) = await kit.StartSeederAsync("honest", 4L * TorrentMetainfo.MinPieceLength + 99);
        var garbage = kit.WriteRandomFile("evil/files/data.bin", torrent.Length);
        var evil = kit.StartEngine("evil");
        await evil.SeedAsync(torrent, garbage);
        var leecher = kit.StartEngine("leecher");
        // Each engine's gauges in a meter factory of their own, so a listener reads one engine at a time.
        using var leecherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var honestServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var leecherMeters = Gauges(leecherServices.GetRequiredService<IMeterFactory>(), leecher);
        var honestMeters = Gauges(honestServices.GetRequiredService<IMeterFactory>(), honest);

        var idle = leecherMeters();
        Assert.Equal(0, idle[("bittorrent.peer.connections", "")]);
        Assert.Equal(0, idle[("bittorrent.peer.received", "")]);
        Assert.Equal(0, idle[("bittorrent.peer.downloads", "downloading")]);

        await leecher.StartDownloadAsync(torrent, kit.PathOf("leecher/files/data.bin"), EndPoints(evil));
        await WaitForAsync(leecher, torrent.InfoHash, s => s.CorruptPieces >= 1 && s.State == DownloadState.WaitingForPeers);
        var cheated = leecherMeters();
        Assert.True(cheated[("bittorrent.peer.pieces.failed", "")] >= 1, "the corrupt piece was not counted");
        Assert.Equal(0, cheated[("bittorrent.peer.pieces.verified", "")]);
        Assert.Equal(1, cheated[("bittorrent.peer.downloads", "waiting_for_peers")]);

        await leecher.AddPeersAsync(torrent.InfoHash, EndPoints(honest, evil));
        var done = await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed);
        var finished = leecherMeters();
        Assert.Equal(torrent.PieceCount, finished[("bittorrent.peer.pieces.verified", "")]);
        Assert.True(finished[("bittorrent.peer.received", "")] >= torrent.Length, "fewer bytes received than the file holds");
        Assert.Equal(1, finished[("bittorrent.peer.downloads", "completed")]);
        Assert.Equal(0, finished[("bittorrent.peer.downloads", "downloading")] + finished[("bittorrent.peer.downloads", "waiting_for_peers")]);
        Assert.True(finished[("bittorrent.peer.connections", "")] >= done.ConnectedPeers, "the open connection to the honest seeder was not counted");
        // Everything the leecher verified came from the honest seeder.
        Assert.True(honestMeters()[("bittorrent.peer.sent", "")] >= torrent.Length, "the seeder's bytes sent were not counted");
    }

    /// <summary>A reader of the meters of one engine (its gauges made by <paramref name="factory"/>): values by instrument name and bittorrent.download.state ("" when untagged).</summary>
    private static Func<Dictionary<(string, string), long>> Gauges(IMeterFactory factory, TransferEngine engine)
    {
        _ = new PeerGauges(factory, engine);
        return () =>
        {
            var values = new Dictionary<(string, string), long>();
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == PeerTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
                },
            };
            void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                var state = "";
                foreach (var tag in tags) if (tag.Key == "bittorrent.download.state") state = (string)tag.Value!;
                values[(instrument.Name, state)] = value;
            }
            listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
            listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
            listener.Start();
            listener.RecordObservableInstruments();
            return values;
        };
    }
}
