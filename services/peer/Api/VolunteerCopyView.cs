namespace BitTorrent.Peer.Api;

/// <summary>
/// One volunteer copy: a file this peer fetches or holds for the ring. <see cref="State"/> is "fetching", "held" (seeded)
/// or "failed" (dropped at the next round); <see cref="Progress"/> from 0 to 1.
/// </summary>
public sealed record VolunteerCopyView(string InfoHash, string Name, long Length, string State, double Progress, DateTimeOffset Since);
