namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>The swarm after a join: counts and members.</summary>
public sealed record SwarmInfo(string InfoHash, int Seeders, int Leechers, IReadOnlyList<SwarmPeerInfo> Peers);
