namespace BitTorrent.ChordNode.Ring;

/// <summary>
/// What stabilize reads from a successor: its predecessor and its successor list; and whether it has
/// settled in a ring (founded one or joined one), which a node that is alone may have done too.
/// </summary>
public sealed record NodeState(NodeRef Self, NodeRef? Predecessor, IReadOnlyList<NodeRef> Successors, bool Settled = false);
