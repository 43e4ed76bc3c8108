namespace BitTorrent.ChordNode.Ring;

/// <summary>
/// One step of an iterative lookup. Either the answer (the successor of the id, with the nodes
/// that follow it, where its replicas live) or the next node to ask.
/// </summary>
public sealed record LookupStep(bool Done, NodeRef Node, IReadOnlyList<NodeRef>? Following)
{
    public static LookupStep Answer(NodeRef successor, IReadOnlyList<NodeRef> following) => new(true, successor, following);
    public static LookupStep Next(NodeRef closerNode) => new(false, closerNode, null);
}
