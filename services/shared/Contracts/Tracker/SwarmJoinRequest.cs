namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>Body of <c>PUT /api/tracker/files/{infoHash}/swarm/{peerId}</c>: where the peer serves the file.</summary>
public sealed record SwarmJoinRequest(string Host, int Port, bool Seeder);
