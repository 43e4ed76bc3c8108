namespace BitTorrent.ChordNode.Ring;

public sealed class NodeUnreachableException(NodeRef node, string reason, Exception? inner = null)
    : Exception($"Node {node} is unreachable: {reason}", inner)
{
    public NodeRef Node { get; } = node;
}
