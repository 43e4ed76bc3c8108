using BitTorrent.ChordNode.Ring;

namespace BitTorrent.ChordNode.Api;

/// <summary>
/// One member's view for tools and tests: its neighbours and fingers, how many keys it holds, its lookup
/// hops, how many DHT operations it sent on to another primary (Forwarded: 0 when every request reached
/// the key's owner) and how many write-behind set changes wait for its replicas (PendingReplication).
/// </summary>
public sealed record NodeInfo(NodeRef Self, NodeRef? Predecessor, IReadOnlyList<NodeRef> Successors, IReadOnlyList<NodeRef> Fingers, int Keys, HopReport Hops,
    long Forwarded = 0, int PendingReplication = 0);
