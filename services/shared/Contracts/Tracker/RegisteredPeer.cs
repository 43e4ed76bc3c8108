namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// The answer to a registration: the peer's record and its secret token. The token is shown once; the
/// tracker keeps only its SHA-256. Updating the record, joining or leaving a swarm by REST and removing a
/// file the peer published need it, as <c>Authorization: Bearer &lt;token&gt;</c> (<see cref="PeerToken"/>).
/// </summary>
public sealed record RegisteredPeer(long PeerId, string TransferHost, int TransferPort, string ApiUrl, DateTimeOffset LastSeen, string Token)
{
    public PeerInfo ToPeerInfo() => new(PeerId, TransferHost, TransferPort, ApiUrl, LastSeen);
}
