namespace BitTorrent.ChordNode.Ring;

/// <summary>The successor of an id, the nodes after it (replica holders) and how many remote hops it took.</summary>
public sealed record LookupResult(NodeRef Successor, IReadOnlyList<NodeRef> Following, int Hops)
{
    /// <summary>The successor first, then the nodes after it: where to read or write a key, in order.</summary>
    public IEnumerable<NodeRef> Candidates => Following.Prepend(Successor).DistinctBy(n => n.Id);
}
