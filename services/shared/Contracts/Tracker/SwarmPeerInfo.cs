namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// A live member of a swarm. <see cref="PeerId"/> is the tracker-assigned numeric id for peers that joined
/// through the REST API, or the 40-hex BitTorrent peer_id of clients that announced.
/// </summary>
public sealed record SwarmPeerInfo(string PeerId, string Host, int Port, bool Seeder, DateTimeOffset? Expires);
