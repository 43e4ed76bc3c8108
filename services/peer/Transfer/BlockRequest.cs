namespace BitTorrent.Peer.Transfer;

/// <summary>A block the peer asked us for: a "send" transaction waiting for room in the send buffer.</summary>
internal readonly record struct BlockRequest(int Index, int Begin, int Length);
