using System.Net;

namespace BitTorrent.Peer.Tracking;

/// <summary>
/// What an announce returned: peers to dial, the swarm's counts, or the tracker's failure reason; and how often the tracker
/// wants announces (its <c>interval</c>), when it said so.
/// </summary>
public sealed record AnnounceReply(IReadOnlyList<IPEndPoint> Peers, int Seeders, int Leechers, string? Failure, TimeSpan? Interval = null);
