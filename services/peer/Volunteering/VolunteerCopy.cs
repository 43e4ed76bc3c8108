using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Volunteering;

/// <summary>A file this peer fetches or holds for the ring, not for its user: its size counts against the volunteer room.</summary>
public sealed record VolunteerCopy(Id160 InfoHash, long Length, DateTimeOffset Since);
