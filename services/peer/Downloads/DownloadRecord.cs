using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Downloads;

/// <summary>What is persisted of a download: enough to rebuild it after a restart without the tracker.</summary>
internal sealed record DownloadRecord(
    Id160 InfoHash,
    string TargetPath,
    DownloadState State,
    string? Error,
    byte[] Verified,
    byte[] Torrent,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt);
