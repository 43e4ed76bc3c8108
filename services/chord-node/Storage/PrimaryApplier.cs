using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Applies an operation as the key's primary (or as the stand-in for a dead one): reads from the local
/// store; a write is answered once it is durable here and the reachable replicas applied it, except
/// write-behind set updates (soft state), which are answered from memory and replicated shortly after.
/// </summary>
/// <remarks>
/// Counters hand out ids, so they are held to more: before incrementing, the primary reads the counter from
/// its replicas (a node that just took over an arc may be behind the one that served it before), and the
/// increment is answered only when every current replica holds it durably. Any Replicas-1 failures then
/// leave a node with the latest value, which is the next owner; a whole ring restarted keeps it on disk.
/// </remarks>
public sealed partial class PrimaryApplier(
    RingNode ring,
    LocalStore store,
    HybridClock clock,
    ReplicaFanOut fanOut,
    WriteBehindReplicator writeBehind,
    IStorageTransport transport,
    StorageSettings settings,
    TimeProvider time,
    ILogger<PrimaryApplier> logger)
{
    /// <summary>Applies an operation as the key's primary and replicates the change before answering.</summary>
    public async Task<DhtResult> ApplyAsPrimaryAsync(DhtOperation operation, CancellationToken cancellationToken = default)
    {
        var keyId = Id160.Hash(operation.Key);
        var predecessor = ring.Predecessor;
        if (operation.RequireOwner && !ring.Owns(keyId)) return new DhtResult(NotOwner: true);
        // Until ArcSettleTime has passed since the predecessor changed (or the node started), the arc may still be
        // wrong (after a restart of the whole ring a node can briefly believe it owns keys its neighbour holds), and
        // a member without a predecessor owns nothing for sure: a miss here is then not believed, and the router
        // asks the other holders. A node alone is the whole ring once it has settled.
        var sure = (predecessor is not null || ring.IsAlone) && ring.Owns(keyId) && ring.SincePredecessorChanged >= settings.ArcSettleTime;
        if (!sure && IsRead(operation.Kind) && store.Find(operation.Key) is null) return new DhtResult(Absent: true);
        var result = await ApplyAsync(operation, cancellationToken).ConfigureAwait(false);
        // Only an owner tells the caller its arc; a stand-in for a dead primary does not.
        return predecessor is not null && Id160.InHalfOpen(keyId, predecessor.Id, ring.Self.Id)
            ? result with { OwnerFrom = predecessor.Id }
            : result;
    }

    private static bool IsRead(DhtOperationKind kind) => kind is DhtOperationKind.Get or DhtOperationKind.GetSet;

    private async Task<DhtResult> ApplyAsync(DhtOperation operation, CancellationToken cancellationToken)
    {
        var now = clock.NowUnixMs;
        switch (operation.Kind)
        {
            case DhtOperationKind.Get:
                return new DhtResult(Value: store.Find(operation.Key)?.Value);
            case DhtOperationKind.GetSet:
                return new DhtResult(Members: store.Find(operation.Key)?.LiveMembers(now) ?? []);
            case DhtOperationKind.Put:
            {
                var (delta, durable) = store.Put(operation.Key, operation.Value ?? throw new ArgumentException("A put needs a value."), clock.Next());
                await ReplicateAsync(delta, durable, cancellationToken).ConfigureAwait(false);
                return new DhtResult();
            }
            case DhtOperationKind.UpdateSet:
            {
                var (delta, live, durable) = store.UpdateSet(operation.Key, operation.Updates ?? [], clock, now);
                if (operation.WriteBehind)
                {
                    writeBehind.Enqueue(delta);
                    // Soft state never reaches the disk, so this is complete unless the update removed a durable member.
                    if (!durable.IsCompleted) await durable.ConfigureAwait(false);
                }
                else
                {
                    await ReplicateAsync(delta, durable, cancellationToken).ConfigureAwait(false);
                }
                return new DhtResult(Members: live);
            }
            case DhtOperationKind.Increment:
                return new DhtResult(Count: await IncrementAsync(operation.Key, cancellationToken).ConfigureAwait(false));
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation.Kind, "Unknown operation.");
        }
    }

    /// <summary>Durable here and sent to the reachable replicas, both at once.</summary>
    private async Task ReplicateAsync(EntryData delta, Task durable, CancellationToken cancellationToken)
    {
        var replicated = fanOut.SendAsync([delta], cancellationToken);
        await durable.ConfigureAwait(false);
        await replicated.ConfigureAwait(false);
    }

    private async Task<long> IncrementAsync(string key, CancellationToken cancellationToken)
    {
        await CatchUpCounterAsync(key, cancellationToken).ConfigureAwait(false);
        var (value, delta, durable) = store.Increment(key);
        var replicated = ReplicateToEveryReplicaAsync(key, delta, cancellationToken);
        await durable.ConfigureAwait(false);
        await replicated.ConfigureAwait(false);
        return value;
    }

    /// <summary>Takes the highest value any current replica holds (a digest that differs makes it send its state).</summary>
    private async Task CatchUpCounterAsync(string key, CancellationToken cancellationToken)
    {
        var ours = store.Find(key)?.Count ?? 0;
        KeyDigest[] digest = [new(key, ours)];
        await Task.WhenAll(fanOut.Targets().Select(async target =>
        {
            try
            {
                var reply = await transport.SyncAsync(target, digest, cancellationToken).ConfigureAwait(false);
                await store.MergeAsync(reply.Theirs.Where(e => e.Key == key && e.Kind == EntryKind.Counter)).ConfigureAwait(false);
            }
            catch (NodeUnreachableException e)
            {
                // A dead replica holds nothing the others lack: every increment reached all replicas of its time.
                LogCounterReadMissed(logger, key, target.Url, e.Message);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the counter to every current replica, again to those that failed and to new ones as the ring
    /// repairs, until all have it; past the timeout the increment fails unacknowledged (the id is skipped, never reused).
    /// </summary>
    private async Task ReplicateToEveryReplicaAsync(string key, EntryData delta, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var holding = new HashSet<Shared.Identifiers.Id160>();
        while (true)
        {
            var missing = fanOut.Targets().Where(t => !holding.Contains(t.Id)).ToList();
            if (missing.Count == 0) return;
            var failed = await fanOut.SendAsync(missing, [delta], cancellationToken).ConfigureAwait(false);
            foreach (var target in missing)
                if (!failed.Contains(target)) holding.Add(target.Id);
            if (failed.Count == 0) continue;
            if (time.GetElapsedTime(started) >= settings.CounterReplicationTimeout)
            {
                LogCounterNotReplicated(logger, key, string.Join(", ", failed.Select(f => f.Url)));
                throw new DhtUnavailableException(key, null);
            }
            await Task.Delay(settings.RetryDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read {Key} from replica {Replica} before incrementing: {Reason}")]
    private static partial void LogCounterReadMissed(ILogger logger, string key, string replica, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Increment of {Key} not acknowledged: replicas {Replicas} did not take it in time")]
    private static partial void LogCounterNotReplicated(ILogger logger, string key, string replicas);
}
