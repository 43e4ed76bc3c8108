namespace BitTorrent.Peer.Storage;

/// <summary>peer.json: the numeric id the tracker gave this peer.</summary>
public sealed record PeerIdentityRecord(long PeerId);
