using System.Diagnostics.Metrics;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Telemetry;

/// <summary>
/// The peer's transfers, read from its engine only when a reader collects (a Prometheus scrape, an OTLP export):
/// payload bytes received and sent, pieces verified and failed, open connections, and downloads by state. The
/// engine counts on its own thread; nothing is recorded per block here. Before the engine has started (the peer
/// registers first) the instruments report nothing.
/// </summary>
public sealed class PeerGauges
{
    private const string StateTag = "bittorrent.download.state";

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
