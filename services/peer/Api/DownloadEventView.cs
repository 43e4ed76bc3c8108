using BitTorrent.Peer.Downloads;

namespace BitTorrent.Peer.Api;

/// <summary>
/// A download event as <c>GET /api/events</c> sends it (the data of one server-sent event; the event's
/// name is <see cref="Kind"/>): which download, what happened, and where it stands after it.
/// </summary>
public sealed record DownloadEventView(
    string Id,
    string Name,
    string Kind,
    string State,
    long BytesDone,
    long TotalBytes,
    double Progress,
    double BytesPerSecond,
    string? Error,
    DateTimeOffset At)
{
    public static DownloadEventView Of(DownloadEvent e) => new(e.InfoHash.ToString(), e.Name, KindName(e.Kind), DownloadView.StateName(e.State),
        e.BytesDone, e.TotalBytes, e.TotalBytes == 0 ? (e.State == DownloadState.Completed ? 1 : 0) : (double)e.BytesDone / e.TotalBytes,
        e.BytesPerSecond, e.Error, e.At);

    /// <summary>The event name on the stream: progress, state, completed, removed.</summary>
    public static string KindName(DownloadEventKind kind) => kind switch
    {
        DownloadEventKind.StateChanged => "state",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
