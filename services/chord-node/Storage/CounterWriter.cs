using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Who took one counter value: the node and a nonce drawn for that one write, so a node that restarted
/// (and may take the same value again) is a different writer, and a re-sent claim is the same one.
/// </summary>
public sealed record CounterWriter(Id160 Node, long Nonce)
{
    public static CounterWriter Next(Id160 node) => new(node, Random.Shared.NextInt64());
}
