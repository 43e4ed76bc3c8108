namespace BitTorrent.ChordNode.Ring;

/// <summary>
/// How one ring member reaches another. Over HTTP in the service, in memory in the simulation;
/// the ring code is the same for both. Every call fails with <see cref="NodeUnreachableException"/>
/// when the target is dead, slow past the RPC timeout, or refuses us.
/// </summary>
public interface IRingTransport
{
    Task<NodeState> GetStateAsync(NodeRef target, CancellationToken cancellationToken);
    Task<LookupStep> FindSuccessorStepAsync(NodeRef target, Shared.Identifiers.Id160 id, IReadOnlyCollection<Shared.Identifiers.Id160> exclude, CancellationToken cancellationToken);
    Task RectifyAsync(NodeRef target, NodeRef candidate, CancellationToken cancellationToken);
    Task PingAsync(NodeRef target, CancellationToken cancellationToken);
}
