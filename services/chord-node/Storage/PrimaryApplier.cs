using System.Collections.Concurrent;
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
/// <para>
/// No value is handed out twice, even while two nodes both believe they own the key (a join or leave that
/// only one of them has seen yet). Each value is a claim by one writer (this node and a nonce drawn for the
/// write): the primary takes it in its own store and offers it to every replica, and a store accepts a value
/// only above the one it holds, or the very claim it accepted before (a re-send after a lost answer). So each
/// node accepts each value from one writer at most, and a value is answered only when all of the writer's
/// holders (itself and its Replicas-1 successors) accepted it. Two such primaries are neighbours, so the first
/// lists the second among its successors: their holders share a node, which refuses one of them. The refused
/// one skips its value, catches up and claims a higher one, at most <see cref="ClaimAttempts"/> rounds apart
/// by a random delay, then fails with <see cref="DhtUnavailableException"/>. This is at least as strong as
/// checking writers at equal values alone: a refusal of lower values too means a replica that moved on (by a
/// newer claim or by merge) never acknowledges an older value it can no longer tell apart. Only primaries
/// whose holders are disjoint (a ring split in two, or a view wrong by Replicas-1 nodes) could both hand out
/// a value; no protocol without a quorum of the whole ring prevents that.
/// </para>
/// <para>
/// The writer is kept in memory only and never replicated: a merge takes the maximum value and leaves the
/// writer unknown, and a store reopened from disk knows none, so it refuses every claim of the value it holds
/// (the only cost: a re-send across a restart is refused and the value skipped). Merging a writer by some
/// deterministic order instead could hand a replica a second writer for a value it already accepted from
/// another, and then accept the second's re-send. The durable format is unchanged.
/// </para>
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
    /// <summary>Rounds a primary tries for one increment when replicas refuse its value (another primary took it).</summary>
    private const int ClaimAttempts = 8;

    /// <summary>One increment of a key at a time here, so this node's own claims reach each replica in order.</summary>
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _counterGates = new(StringComparer.Ordinal);

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
        var gate = _counterGates.GetOrAdd(key, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = time.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                await CatchUpCounterAsync(key, cancellationToken).ConfigureAwait(false);
                var writer = CounterWriter.Next(ring.Self.Id);
                var (value, durable) = store.Increment(key, writer);
                var refusedAt = await ClaimOnEveryReplicaAsync(new CounterClaim(key, value, writer), started, cancellationToken).ConfigureAwait(false);
                await durable.ConfigureAwait(false);
                if (refusedAt is null) return value;
                // Another writer holds this value (or a higher one) at a replica: ours is skipped, never handed out.
                await store.MergeAsync(new EntryData(key, EntryKind.Counter, Count: refusedAt.Value)).ConfigureAwait(false);
                LogClaimRefused(logger, key, value, refusedAt.Value, attempt);
                if (attempt >= ClaimAttempts) throw new DhtUnavailableException(key, null);
                // Two primaries for one arc retry apart, so one of them wins the next round.
                var jitter = settings.RetryDelay * (0.5 + Random.Shared.NextDouble());
                await Task.Delay(jitter, time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Takes the highest value any current replica holds (a digest that differs makes it send its state).</summary>
    private async Task CatchUpCounterAsync(string key, CancellationToken cancellationToken)
    {
        KeyDigest[] digest = [new(key, store.Find(key)?.Count ?? 0)];
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
    /// Offers the value to every current replica, again to those that did not answer and to new ones as the
    /// ring repairs, until all accepted it; returns null then, or the highest value held by a replica that
    /// refused it. Past the timeout the increment fails unacknowledged (the value is skipped, never reused).
    /// </summary>
    private async Task<long?> ClaimOnEveryReplicaAsync(CounterClaim claim, long started, CancellationToken cancellationToken)
    {
        var holding = new HashSet<Id160>();
        while (true)
        {
            var missing = fanOut.Targets().Where(t => !holding.Contains(t.Id)).ToList();
            if (missing.Count == 0) return null;
            var (failed, refusedAt) = await fanOut.ClaimAsync(missing, claim, cancellationToken).ConfigureAwait(false);
            if (refusedAt is not null) return refusedAt;
            foreach (var target in missing)
                if (!failed.Contains(target)) holding.Add(target.Id);
            if (failed.Count == 0) continue;
            if (time.GetElapsedTime(started) >= settings.CounterReplicationTimeout)
            {
                LogCounterNotReplicated(logger, claim.Key, string.Join(", ", failed.Select(f => f.Url)));
                throw new DhtUnavailableException(claim.Key, null);
            }
            await Task.Delay(settings.RetryDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read {Key} from replica {Replica} before incrementing: {Reason}")]
    private static partial void LogCounterReadMissed(ILogger logger, string key, string replica, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Increment of {Key} not acknowledged: replicas {Replicas} did not take it in time")]
    private static partial void LogCounterNotReplicated(ILogger logger, string key, string replicas);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claim of {Key} = {Value} refused by a replica holding {Held} (attempt {Attempt}); the value is skipped")]
    private static partial void LogClaimRefused(ILogger logger, string key, long value, long held, int attempt);
}
