using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Ring;

/// <summary>A ring member: its identifier and the URL its RPC is served at.</summary>
public sealed record NodeRef(Id160 Id, string Url)
{
    /// <summary>A node's id is the SHA-1 of its advertised URL, as in the Chord paper.</summary>
    public static NodeRef ForUrl(string url) => new(Id160.Hash(url), url);

    public override string ToString() => $"{Id.Short}@{Url}";
}

/// <summary>
/// What stabilize reads from a successor: its predecessor and its successor list; and whether it has
/// settled in a ring (founded one or joined one), which a node that is alone may have done too.
/// </summary>
public sealed record NodeState(NodeRef Self, NodeRef? Predecessor, IReadOnlyList<NodeRef> Successors, bool Settled = false);

/// <summary>
/// One step of an iterative lookup. Either the answer (the successor of the id, with the nodes
/// that follow it, where its replicas live) or the next node to ask.
/// </summary>
public sealed record LookupStep(bool Done, NodeRef Node, IReadOnlyList<NodeRef>? Following)
{
    public static LookupStep Answer(NodeRef successor, IReadOnlyList<NodeRef> following) => new(true, successor, following);
    public static LookupStep Next(NodeRef closerNode) => new(false, closerNode, null);
}

/// <summary>The successor of an id, the nodes after it (replica holders) and how many remote hops it took.</summary>
public sealed record LookupResult(NodeRef Successor, IReadOnlyList<NodeRef> Following, int Hops)
{
    /// <summary>The successor first, then the nodes after it: where to read or write a key, in order.</summary>
    public IEnumerable<NodeRef> Candidates => Following.Prepend(Successor).DistinctBy(n => n.Id);
}
