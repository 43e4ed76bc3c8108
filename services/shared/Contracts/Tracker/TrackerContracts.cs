namespace BitTorrent.Shared.Contracts.Tracker;

// Info-hashes travel as 40 lower-case hex digits; peer ids assigned by the tracker are numbers.

/// <summary>A catalog row: a published file and how many peers serve it now.</summary>
public sealed record TrackerFileSummary(string InfoHash, string Name, long Length, int Seeders, int Leechers);

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

/// <summary>
/// A live member of a swarm. <see cref="PeerId"/> is the tracker-assigned numeric id for peers that joined
/// through the REST API, or the 40-hex BitTorrent peer_id of clients that announced.
/// </summary>
public sealed record SwarmPeerInfo(string PeerId, string Host, int Port, bool Seeder, DateTimeOffset? Expires);

/// <summary>The swarm after a join: counts and members.</summary>
public sealed record SwarmInfo(string InfoHash, int Seeders, int Leechers, IReadOnlyList<SwarmPeerInfo> Peers);

/// <summary>Body of <c>PUT /api/tracker/files/{infoHash}/swarm/{peerId}</c>: where the peer serves the file.</summary>
public sealed record SwarmJoinRequest(string Host, int Port, bool Seeder);

/// <summary>The result of publishing a .torrent; <see cref="Created"/> is false when it was already published.</summary>
public sealed record PublishedTorrent(string InfoHash, string Name, long Length, long PieceLength, int PieceCount, bool Created);

/// <summary>
/// A peer's addresses, sent when it registers (POST) and each time it starts (PUT). Every field is required:
/// the transfer host is an IP address or a host name, the API url an absolute http(s) url, and neither may
/// name a link-local, metadata, multicast or unspecified address (<see cref="PeerAddressRules"/>).
/// </summary>
public sealed record PeerRegistration(string TransferHost, int TransferPort, string ApiUrl);

/// <summary>A registered peer, as anyone may read it.</summary>
public sealed record PeerInfo(long PeerId, string TransferHost, int TransferPort, string? ApiUrl, DateTimeOffset LastSeen);

/// <summary>
/// The answer to a registration: the peer's record and its secret token. The token is shown once; the
/// tracker keeps only its SHA-256. Updating the record, joining or leaving a swarm by REST and removing a
/// file the peer published need it, as <c>Authorization: Bearer &lt;token&gt;</c> (<see cref="PeerToken"/>).
/// </summary>
public sealed record RegisteredPeer(long PeerId, string TransferHost, int TransferPort, string ApiUrl, DateTimeOffset LastSeen, string Token)
{
    public PeerInfo ToPeerInfo() => new(PeerId, TransferHost, TransferPort, ApiUrl, LastSeen);
}
