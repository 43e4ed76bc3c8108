using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Ring;

/// <summary>
/// finger[i] = successor(self + 2^i), i = 0..159. Entries share NodeRef instances, so the table
/// costs 160 references however large the ring is. Not thread-safe: <see cref="RingNode"/> guards it.
/// </summary>
internal sealed class FingerTable
{
    private readonly NodeRef?[] _fingers = new NodeRef?[Id160.Bits];
    private readonly Id160[] _starts = new Id160[Id160.Bits];

    public FingerTable(Id160 self)
    {
        for (var i = 0; i < Id160.Bits; i++) _starts[i] = self + Id160.PowerOfTwo(i);
    }

    public Id160 Start(int i) => _starts[i];

    public NodeRef? this[int i]
    {
        get => _fingers[i];
        set => _fingers[i] = value;
    }

    /// <summary>Drops a node that did not answer from every finger it occupies.</summary>
    public void Forget(Id160 node)
    {
        for (var i = 0; i < _fingers.Length; i++)
            if (_fingers[i]?.Id == node) _fingers[i] = null;
    }

    public IEnumerable<NodeRef> Distinct() => _fingers.OfType<NodeRef>().DistinctBy(f => f.Id);
}
