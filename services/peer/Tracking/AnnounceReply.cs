using System.Net;

namespace BitTorrent.Peer.Tracking;

/// <summary>What an announce returned: peers to dial, the swarm's counts, or the tracker's failure reason.</summary>
public sealed record AnnounceReply(IReadOnlyList<IPEndPoint> Peers, int Seeders, int Leechers, string? Failure);
