namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// A peer's last report (<see cref="PeerStatusReport"/>) as the tracker serves it, with the time it arrived.
/// The tracker forgets it two refresh periods after it arrived, so a peer with a status was seen recently.
/// </summary>
public sealed record PeerStatus(int ActiveDownloads, long DownloadBytesPerSecond, long UploadBytesPerSecond, int FilesShared, string? Version,
    int RefreshSeconds, DateTimeOffset ReportedAt)
{
    public static PeerStatus From(PeerStatusReport report, DateTimeOffset reportedAt) =>
        new(report.ActiveDownloads, report.DownloadBytesPerSecond, report.UploadBytesPerSecond, report.FilesShared, report.Version,
            report.RefreshSeconds, reportedAt);
}
