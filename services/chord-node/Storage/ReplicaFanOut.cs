using BitTorrent.ChordNode.Ring;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Sends changes from a primary to its replicas: the Replicas-1 successors. The one fan-out used by
/// synchronous replication, write-behind and counters. An unreachable replica misses the batch (logged);
/// anti-entropy repairs it, or its successor once the ring has dropped it.
/// </summary>
public sealed partial class ReplicaFanOut(RingNode ring, IStorageTransport transport, StorageSettings settings, ILogger<ReplicaFanOut> logger)
{
    /// <summary>The Replicas-1 successors that hold copies of what this node is primary for.</summary>
    public IReadOnlyList<NodeRef> Targets()
    {
        var successors = ring.Successors;
        var targets = new List<NodeRef>(settings.Replicas - 1);
        foreach (var successor in successors)
        {
            if (targets.Count >= settings.Replicas - 1) break;
            if (successor.Id != ring.Self.Id) targets.Add(successor);
        }
        return targets;
    }

    /// <summary>Sends the batch to every current replica at once; returns the replicas that did not take it.</summary>
    public Task<IReadOnlyList<NodeRef>> SendAsync(IReadOnlyList<EntryData> batch, CancellationToken cancellationToken = default) =>
        SendAsync(Targets(), batch, cancellationToken);

    /// <summary>Sends the batch to the given replicas at once; returns those that did not take it.</summary>
    public async Task<IReadOnlyList<NodeRef>> SendAsync(IReadOnlyList<NodeRef> targets, IReadOnlyList<EntryData> batch, CancellationToken cancellationToken = default)
    {
        if (targets.Count == 0 || batch.Count == 0) return [];
        var sent = new Task<NodeRef?>[targets.Count];
        for (var i = 0; i < targets.Count; i++) sent[i] = SendOneAsync(targets[i], batch, cancellationToken);
        var results = await Task.WhenAll(sent).ConfigureAwait(false);
        var failed = new List<NodeRef>();
        foreach (var result in results)
            if (result is not null) failed.Add(result);
        return failed;
    }

    /// <summary>
    /// Offers a counter value to the given replicas at once; returns those that could not be reached and the
    /// highest value held by any that refused it (null when none refused).
    /// </summary>
    public async Task<(IReadOnlyList<NodeRef> Failed, long? RefusedAt)> ClaimAsync(IReadOnlyList<NodeRef> targets, CounterClaim claim, CancellationToken cancellationToken = default)
    {
        var sent = new Task<(NodeRef Target, CounterClaimReply? Reply)>[targets.Count];
        for (var i = 0; i < targets.Count; i++) sent[i] = ClaimOneAsync(targets[i], claim, cancellationToken);
        var failed = new List<NodeRef>();
        long? refusedAt = null;
        foreach (var (target, reply) in await Task.WhenAll(sent).ConfigureAwait(false))
        {
            if (reply is null) failed.Add(target);
            else if (!reply.Accepted) refusedAt = Math.Max(refusedAt ?? 0, reply.Held);
        }
        return (failed, refusedAt);
    }

    private async Task<(NodeRef, CounterClaimReply?)> ClaimOneAsync(NodeRef target, CounterClaim claim, CancellationToken cancellationToken)
    {
        try
        {
            return (target, await transport.ClaimCounterAsync(target, claim, cancellationToken).ConfigureAwait(false));
        }
        catch (NodeUnreachableException e)
        {
            LogClaimMissed(logger, target.Url, claim.Key, claim.Value, e.Message);
            return (target, null);
        }
    }

    private async Task<NodeRef?> SendOneAsync(NodeRef target, IReadOnlyList<EntryData> batch, CancellationToken cancellationToken)
    {
        try
        {
            await transport.MergeAsync(target, batch, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (NodeUnreachableException e)
        {
            LogReplicaMissed(logger, target.Url, batch.Count, e.Message);
            return target;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {Replica} missed {Count} changes ({Reason}); anti-entropy repairs it")]
    private static partial void LogReplicaMissed(ILogger logger, string replica, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {Replica} did not answer the claim of {Key} = {Value} ({Reason}); the primary offers it again")]
    private static partial void LogClaimMissed(ILogger logger, string replica, string key, long value, string reason);
}
