using System.Diagnostics.Metrics;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Telemetry;

/// <summary>
/// The peer's transfers, read from its engine only when a reader collects (a Prometheus scrape, an OTLP export):
/// payload bytes received and sent, pieces verified and failed, open connections, and downloads by state. The
/// engine counts on its own thread; nothing is recorded per block here. Before the peer has registered (no engine
/// yet) the instruments report nothing.
/// </summary>
public sealed class PeerGauges
{
    private const string StateTag = "bittorrent.download.state";

    /// <summary>Every state with its tag value, so a state with no download reads 0 instead of vanishing.</summary>
    private static readonly (DownloadState State, KeyValuePair<string, object?> Tag)[] States =
        [.. Enum.GetValues<DownloadState>().Select(s => (s, new KeyValuePair<string, object?>(StateTag, TagValue(s))))];

    public PeerGauges(IMeterFactory meters, PeerRuntime runtime)
    {
        var meter = meters.Create(PeerTelemetry.MeterName);
        meter.CreateObservableCounter("bittorrent.peer.received", () => Read(runtime, e => e.BytesReceived), "By",
            "Payload bytes received from other peers for downloads");
        meter.CreateObservableCounter("bittorrent.peer.sent", () => Read(runtime, e => e.BytesServed), "By",
            "Payload bytes sent to other peers");
        meter.CreateObservableCounter("bittorrent.peer.pieces.verified", () => Read(runtime, e => e.PiecesVerified), "{piece}",
            "Pieces received that passed their SHA-1 check");
        meter.CreateObservableCounter("bittorrent.peer.pieces.failed", () => Read(runtime, e => e.PiecesFailed), "{piece}",
            "Pieces received that failed their SHA-1 check (their senders were dropped)");
        meter.CreateObservableUpDownCounter("bittorrent.peer.connections", () => Read(runtime, e => e.ConnectionCount), "{connection}",
            "Peer wire connections open now, both directions");
        meter.CreateObservableUpDownCounter("bittorrent.peer.downloads", () => Downloads(runtime), "{download}",
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
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "a state without a tag value"),
    };

    private static IEnumerable<Measurement<T>> Read<T>(PeerRuntime runtime, Func<TransferEngine, T> read) where T : struct =>
        runtime.Engine is { } engine ? [new Measurement<T>(read(engine))] : [];

    private static IEnumerable<Measurement<int>> Downloads(PeerRuntime runtime)
    {
        if (runtime.Engine is not { } engine) return [];
        var counts = new int[States.Length];
        foreach (var download in engine.GetDownloads()) counts[Array.FindIndex(States, s => s.State == download.State)]++;
        return States.Select((s, i) => new Measurement<int>(counts[i], s.Tag));
    }
}
