using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// Something that happened to a download, as subscribers of the <see cref="DownloadEventHub"/>
/// see it (the library, the API; later the web UI as server-sent events).
/// </summary>
/// <param name="InfoHash">The torrent's info-hash: the download's id.</param>
/// <param name="Name">The name in the torrent (untrusted text, for display).</param>
/// <param name="Kind">What happened.</param>
/// <param name="State">The state after it.</param>
/// <param name="BytesDone">Bytes of verified pieces.</param>
/// <param name="TotalBytes">The file's length.</param>
/// <param name="BytesPerSecond">Payload received per second, over the last second or so.</param>
/// <param name="Error">Why it failed (state Failed), else null.</param>
/// <param name="TargetPath">Where the file is written.</param>
/// <param name="At">When it happened.</param>
public sealed record DownloadEvent(
    Id160 InfoHash,
    string Name,
    DownloadEventKind Kind,
    DownloadState State,
    long BytesDone,
    long TotalBytes,
    double BytesPerSecond,
    string? Error,
    string TargetPath,
    DateTimeOffset At)
{
    /// <summary>Progress may be coalesced for a slow subscriber; every other kind is delivered.</summary>
    public bool MayCoalesce => Kind == DownloadEventKind.Progress;

    public static DownloadEvent Of(DownloadSnapshot snapshot, DownloadEventKind kind, DateTimeOffset at) => new(
        snapshot.InfoHash, snapshot.Name, kind, snapshot.State, snapshot.BytesDone, snapshot.TotalBytes,
        snapshot.BytesPerSecond, snapshot.Error, snapshot.TargetPath, at);
}
