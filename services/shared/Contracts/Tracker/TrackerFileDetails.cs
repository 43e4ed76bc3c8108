namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>A published file's metadata and its live swarm.</summary>
public sealed record TrackerFileDetails(
    string InfoHash,
    string Name,
    long Length,
    long PieceLength,
    int PieceCount,
    int Seeders,
    int Leechers,
    IReadOnlyList<SwarmPeerInfo> Peers);
