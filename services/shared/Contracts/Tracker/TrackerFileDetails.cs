namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// A published file's metadata and its live swarm. <see cref="Copies"/> is the publisher's target number of seeders
/// and <see cref="Published"/> when it was first published, as in its catalog row (1 and null for a file no longer
/// listed, whose .torrent the tracker still serves).
/// </summary>
public sealed record TrackerFileDetails(
    string InfoHash,
    string Name,
    long Length,
    long PieceLength,
    int PieceCount,
    int Seeders,
    int Leechers,
    IReadOnlyList<SwarmPeerInfo> Peers,
    int Copies = 1,
    DateTimeOffset? Published = null);
