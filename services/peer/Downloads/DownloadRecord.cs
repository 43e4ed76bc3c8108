using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// What is persisted of a download: enough to rebuild it after a restart without the tracker. The
/// target file's length and modification time at the save tell <see cref="UncleanStopCheck"/>
/// whether the file changed since (absent in states saved before they were recorded: re-checked).
/// <see cref="WantedFiles"/> flags the files chosen (one per file, torrent order); null: every file.
/// The download's own limits (bytes per second, 0 unlimited) and, while it is queued, its place in the queue.
/// </summary>
internal sealed record DownloadRecord(
    Id160 InfoHash,
    string TargetPath,
    DownloadState State,
    string? Error,
    byte[] Verified,
    byte[] Torrent,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    long? FileLength = null,
    DateTimeOffset? FileModifiedAt = null,
    bool[]? WantedFiles = null,
    long DownloadLimit = 0,
    long UploadLimit = 0,
    int? QueuePosition = null);
