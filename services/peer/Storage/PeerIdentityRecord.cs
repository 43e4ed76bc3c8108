namespace BitTorrent.Peer.Storage;

/// <summary>peer.json: the numeric id the tracker gave this peer and the secret token that proves it is this peer's.</summary>
public sealed record PeerIdentityRecord(long PeerId, string? Token);
