using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// The value of <c>peer/{peerId}</c>: the public record and the SHA-256 of the peer's token (never served).
/// </summary>
internal sealed record PeerRecord(long PeerId, string TransferHost, int TransferPort, string? ApiUrl, DateTimeOffset LastSeen, string? TokenHash)
{
    public PeerInfo ToPeerInfo() => new(PeerId, TransferHost, TransferPort, ApiUrl, LastSeen);
}
