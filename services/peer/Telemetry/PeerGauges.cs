using System.Diagnostics.Metrics;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Telemetry;

/// <summary>
/// The peer's transfers, read from its engine only when a reader collects (a Prometheus scrape, an OTLP export):
/// payload bytes received and sent, pieces verified and failed, open connections, handshakes by BEP 6 outcome, rejects
/// received, and downloads by state. The
/// engine counts on its own thread; nothing is recorded per block here. Before the engine has started (the peer
/// registers first) the instruments report nothing.
/// </summary>
public sealed class PeerGauges
{
    private const string StateTag = "bittorrent.download.state";
    private const string FastTag = "bittorrent.fast_extension";

    /// <summary>Every state with its tag value, so a state with no download reads 0 instead of vanishing.</summary>
    private static readonly (DownloadState State, KeyValuePair<string, object?> Tag)[] States =
        [.. Enum.GetValues<DownloadState>().Select(s => (s, new KeyValuePair<string, object?>(StateTag, TagValue(s))))];

    public PeerGauges(IMeterFactory meters, TransferEngine engine)
    {
        var meter = meters.Create(PeerTelemetry.MeterName);
        meter.CreateObservableCounter("bittorrent.peer.received", () => Read(engine, c => c.BytesReceived), "By",
            "Payload bytes received from other peers for downloads");
        meter.CreateObservableCounter("bittorrent.peer.sent", () => Served(engine), "By",
            "Payload bytes sent to other peers");
        meter.CreateObservableCounter("bittorrent.peer.pieces.verified", () => Read(engine, c => c.PiecesVerified), "{piece}",
            "Pieces received that passed their SHA-1 check");
        meter.CreateObservableCounter("bittorrent.peer.pieces.failed", () => Read(engine, c => c.PiecesFailed), "{piece}",
            "Pieces received that failed their SHA-1 check (their senders were dropped)");
        meter.CreateObservableUpDownCounter("bittorrent.peer.connections", () => Read(engine, c => c.Connections), "{connection}",
            "Peer wire connections open now, both directions");
        meter.CreateObservableCounter("bittorrent.peer.fast_extension", () => FastExtension(engine), "{handshake}",
            "Peer wire handshakes completed, by bittorrent.fast_extension: negotiated (both sides offered BEP 6), peer_without (only we did), disabled (ours is off)");
        meter.CreateObservableCounter("bittorrent.peer.rejects.received", () => Read(engine, c => c.RejectsReceived), "{message}",
            "BEP 6 rejects received for our requests (each rejected block went back to the picker at once)");
        meter.CreateObservableUpDownCounter("bittorrent.peer.downloads", () => Downloads(engine), "{download}",
            "Downloads this peer has, by bittorrent.download.state");
    }

    /// <summary>The tag value of a state: snake case (<c>waiting_for_peers</c>), as label values usually are.</summary>
    public static string TagValue(DownloadState state) => state switch
    {
        DownloadState.Downloading => "downloading",
        DownloadState.WaitingForPeers => "waiting_for_peers",
        DownloadState.Paused => "paused",
        DownloadState.Completed => "completed",
        DownloadState.Failed => "failed",
        DownloadState.Cancelled => "cancelled",
        DownloadState.Metadata => "metadata",
        DownloadState.Queued => "queued",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "a state without a tag value"),
    };

    private static IEnumerable<Measurement<T>> Read<T>(TransferEngine engine, Func<TransferCounters, T> read) where T : struct =>
        engine.Counters is { } counters ? [new Measurement<T>(read(counters))] : [];

    private static IEnumerable<Measurement<long>> FastExtension(TransferEngine engine) =>
        engine.Counters is { } c
            ?
            [
                new Measurement<long>(c.FastNegotiated, new KeyValuePair<string, object?>(FastTag, "negotiated")),
                new Measurement<long>(c.FastPeerWithout, new KeyValuePair<string, object?>(FastTag, "peer_without")),
                new Measurement<long>(c.FastDisabled, new KeyValuePair<string, object?>(FastTag, "disabled")),
            ]
            : [];

    private static IEnumerable<Measurement<long>> Served(TransferEngine engine) =>
        engine.IsStarted ? [new Measurement<long>(engine.BytesServed)] : [];

    private static IEnumerable<Measurement<int>> Downloads(TransferEngine engine)
    {
        if (!engine.IsStarted) return [];
        var counts = new int[States.Length];
        foreach (var download in engine.GetDownloads()) counts[Array.FindIndex(States, s => s.State == download.State)]++;
        return States.Select((s, i) => new Measurement<int>(counts[i], s.Tag));
    }
}
