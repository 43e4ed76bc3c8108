namespace BitTorrent.Gateway.Api;

/// <summary>
/// The fleet: registered peers by id (at most <see cref="FleetApi.MaxPeers"/>, the most recently seen), how many are
/// registered in all, and the totals of their last reports.
/// </summary>
public sealed record FleetView(int Registered, int Healthy, int ActiveDownloads, long DownloadBytesPerSecond, long UploadBytesPerSecond,
    IReadOnlyList<FleetPeer> Peers, DateTimeOffset CheckedAt);
