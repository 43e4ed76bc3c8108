using BitTorrent.ChordNode.Ring;

namespace BitTorrent.ChordNode.Api;

/// <summary>
/// One ring member seen from inside: its predecessor and successor list, how many keys its store holds (as the
/// primary or as a replica) and the hop counts of the lookups it made. <see cref="AnsweredBy"/> is the member that
/// served the request (it asked the member itself).
/// </summary>
public sealed record RingNodeDetails(NodeRef Self, NodeRef? Predecessor, IReadOnlyList<NodeRef> Successors, int Keys, HopReport Hops, string AnsweredBy);
