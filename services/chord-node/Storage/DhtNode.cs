using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Replicated storage on the ring. A key lives on its successor (the primary) and the next
/// Replicas-1 nodes. Any node serves any call: it looks the key up and sends the operation to the
/// primary, which applies it, replicates the change to its successors and answers once every
/// reachable replica has applied it. When the primary is dead the next live holder takes its place.
/// Soft-state set updates (<see cref="UpdateSetWriteBehindAsync"/>) are the exception: the primary
/// answers after its own write and replicates them in coalesced batches shortly after (write-behind).
/// </summary>
public sealed class DhtNode(RingNode ring, IStorageTransport transport, LocalStore store, HybridClock clock, int replicas, TimeProvider? time = null) : IDht
{
    private const int Attempts = 4;
    private readonly OwnerCache _owners = new(time ?? TimeProvider.System, TimeSpan.FromSeconds(30));
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly WriteBehindQueue _writeBehind = new();
    private int _flushScheduled;
    private long _forwarded;
    private string? _lastNeighbourhood;
    private long _lastFullSync;

    /// <summary>
    /// How long a write-behind change waits for others to join its batch before it goes to the replicas
    /// (and at most one batch is in flight, so under load batches grow instead of requests multiplying).
    /// </summary>
    public TimeSpan WriteBehindDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Operations this node sent on to another member because it does not own their key.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Write-behind changes applied here and not yet sent to the replicas.</summary>
    public int PendingReplication => _writeBehind.Count;

    /// <summary>Longest time between two full replica synchronisations when the neighbourhood is unchanged.</summary>
    public TimeSpan FullSyncInterval { get; init; } = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan TombstoneTtl = TimeSpan.FromMinutes(10);

    public LocalStore Store => store;
    public RingNode Ring => ring;
    public int Replicas => replicas;

    /// <summary>Delay between attempts when every candidate for a key failed (the ring is repairing).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    // ---- IDht: what the tracker calls ---------------------------------------------------------

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(new DhtOperation(key, DhtOperationKind.Get), cancellationToken).ConfigureAwait(false)).Value;

    public Task PutAsync(string key, byte[] value, CancellationToken cancellationToken = default) =>
        ExecuteAsync(new DhtOperation(key, DhtOperationKind.Put, Value: value), cancellationToken);

    public async Task<IReadOnlyList<SetMember>> GetSetAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(new DhtOperation(key, DhtOperationKind.GetSet), cancellationToken).ConfigureAwait(false)).Members ?? [];

    public async Task<IReadOnlyList<SetMember>> UpdateSetAsync(string key, IReadOnlyList<SetUpdate> updates, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(new DhtOperation(key, DhtOperationKind.UpdateSet, Updates: updates), cancellationToken).ConfigureAwait(false)).Members ?? [];

    public async Task<IReadOnlyList<SetMember>> UpdateSetWriteBehindAsync(string key, IReadOnlyList<SetUpdate> updates, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(new DhtOperation(key, DhtOperationKind.UpdateSet, Updates: updates, WriteBehind: true), cancellationToken).ConfigureAwait(false)).Members ?? [];

    public async Task<long> IncrementAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(new DhtOperation(key, DhtOperationKind.Increment), cancellationToken).ConfigureAwait(false)).Count;

    /// <summary>
    /// Has the key's primary apply the operation. The primary comes from the owner cache when it
    /// knows the arc (no lookup), else from a lookup; an unreachable primary falls over to the next holder.
    /// </summary>
    public async Task<DhtResult> ExecuteAsync(DhtOperation operation, CancellationToken cancellationToken = default)
    {
        var keyId = Id160.Hash(operation.Key);
        var owned = ring.Predecessor is not null && ring.Owns(keyId);
        var cached = owned ? ring.Self : _owners.Find(keyId);
        if (cached is not null)
        {
            try
            {
                var direct = operation with { RequireOwner = true };
                var result = cached.Id == ring.Self.Id
                    ? await ApplyAsPrimaryAsync(direct, cancellationToken).ConfigureAwait(false)
                    : await ForwardAsync(cached, direct, cancellationToken).ConfigureAwait(false);
                if (!result.NotOwner) return Learned(cached, result);
                _owners.Forget(cached);
            }
            catch (NodeUnreachableException)
            {
                _owners.Forget(cached);
                ring.Forget(cached);
            }
        }

        Exception? last = null;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (attempt > 0) await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
            LookupResult found;
            try
            {
                found = await ring.FindSuccessorAsync(keyId, cancellationToken).ConfigureAwait(false);
            }
            catch (LookupFailedException e)
            {
                last = e;
                continue;
            }
            // The successor first; when it is dead, the next holder already has the key and stands in.
            // A counter is never served by a stand-in: only the owner may hand out the next id.
            var strict = operation.Kind == DhtOperationKind.Increment;
            foreach (var holder in found.Candidates.Take(strict ? 1 : replicas))
            {
                try
                {
                    var sent = strict ? operation with { RequireOwner = true } : operation;
                    var result = holder.Id == ring.Self.Id
                        ? await ApplyAsPrimaryAsync(sent, cancellationToken).ConfigureAwait(false)
                        : await ForwardAsync(holder, sent, cancellationToken).ConfigureAwait(false);
                    if (result.NotOwner) break; // the ring is still settling; ask again shortly
                    return Learned(holder, result);
                }
                catch (NodeUnreachableException e)
                {
                    last = e;
                    ring.Forget(holder);
                    _owners.Forget(holder);
                }
            }
        }
        throw new DhtUnavailableException(operation.Key, last);
    }

    private Task<DhtResult> ForwardAsync(NodeRef holder, DhtOperation operation, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _forwarded);
        return transport.ApplyAsync(holder, operation, cancellationToken);
    }

    private DhtResult Learned(NodeRef primary, DhtResult result)
    {
        if (result.OwnerFrom is { } from && primary.Id != ring.Self.Id) _owners.Learn(from, primary);
        return result;
    }

    // ---- handlers: this node as primary or replica --------------------------------------------

    /// <summary>Applies an operation as the key's primary and replicates the change before answering.</summary>
    public async Task<DhtResult> ApplyAsPrimaryAsync(DhtOperation operation, CancellationToken cancellationToken = default)
    {
        var keyId = Id160.Hash(operation.Key);
        var predecessor = ring.Predecessor;
        if (operation.RequireOwner && !ring.Owns(keyId)) return new DhtResult(NotOwner: true);
        var result = await ApplyAsync(operation, cancellationToken).ConfigureAwait(false);
        // Only an owner tells the caller its arc; a stand-in for a dead primary does not.
        return predecessor is not null && Id160.InHalfOpen(keyId, predecessor.Id, ring.Self.Id)
            ? result with { OwnerFrom = predecessor.Id }
            : result;
    }

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
                var delta = store.GetOrAdd(operation.Key, EntryKind.Register)
                    .Put(operation.Value ?? throw new ArgumentException("A put needs a value."), clock.Next());
                await ReplicateAsync(delta, cancellationToken).ConfigureAwait(false);
                return new DhtResult();
            }
            case DhtOperationKind.UpdateSet:
            {
                var (delta, live) = store.GetOrAdd(operation.Key, EntryKind.Set).Update(operation.Updates ?? [], clock, now);
                if (operation.WriteBehind) ReplicateLater(delta);
                else await ReplicateAsync(delta, cancellationToken).ConfigureAwait(false);
                return new DhtResult(Members: live);
            }
            case DhtOperationKind.Increment:
            {
                var (value, delta) = store.GetOrAdd(operation.Key, EntryKind.Counter).Increment();
                await ReplicateAsync(delta, cancellationToken).ConfigureAwait(false);
                return new DhtResult(Count: value);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation.Kind, "Unknown operation.");
        }
    }

    /// <summary>The Replicas-1 successors that hold copies of what this node is primary for.</summary>
    public IReadOnlyList<NodeRef> ReplicaTargets() =>
        ring.Successors.Where(s => s.Id != ring.Self.Id).Take(replicas - 1).ToArray();

    private async Task ReplicateAsync(EntryData delta, CancellationToken cancellationToken)
    {
        var targets = ReplicaTargets();
        if (targets.Count == 0) return;
        EntryData[] batch = [delta];
        await Task.WhenAll(targets.Select(async target =>
        {
            try
            {
                await transport.MergeAsync(target, batch, cancellationToken).ConfigureAwait(false);
            }
            catch (NodeUnreachableException)
            {
                // An unreachable replica misses this write; anti-entropy repairs it or its successor.
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Queues a change for the replicas and makes sure a flush is coming.</summary>
    private void ReplicateLater(EntryData delta)
    {
        _writeBehind.Add(delta);
        if (Interlocked.Exchange(ref _flushScheduled, 1) == 0) _ = FlushSoonAsync();
    }

    private async Task FlushSoonAsync()
    {
        while (true)
        {
            await Task.Delay(WriteBehindDelay, _time).ConfigureAwait(false);
            try
            {
                await FlushWriteBehindAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Never let a failed flush stop later ones; anti-entropy repairs what was missed.
            }
            Volatile.Write(ref _flushScheduled, 0);
            // A change queued while the batch was in flight found the flag set: go round again for it.
            if (_writeBehind.Count == 0 || Interlocked.Exchange(ref _flushScheduled, 1) != 0) return;
        }
    }

    /// <summary>Sends every queued write-behind change to the current replicas, one merge per replica.</summary>
    public async Task FlushWriteBehindAsync(CancellationToken cancellationToken = default)
    {
        var batch = _writeBehind.Drain();
        if (batch.Count == 0) return;
        var targets = ReplicaTargets();
        await Task.WhenAll(targets.Select(async target =>
        {
            try
            {
                await transport.MergeAsync(target, batch, cancellationToken).ConfigureAwait(false);
            }
            catch (NodeUnreachableException)
            {
                // As for synchronous writes: anti-entropy repairs this replica or its successor.
            }
        })).ConfigureAwait(false);
    }

    public void HandleMerge(IReadOnlyList<EntryData> entries) => store.Merge(entries);

    public SyncReply HandleSync(IReadOnlyList<KeyDigest> digests)
    {
        var wanted = new List<string>();
        var theirs = new List<EntryData>();
        foreach (var digest in digests)
        {
            var entry = store.Find(digest.Key);
            if (entry is null) { wanted.Add(digest.Key); continue; }
            if (entry.Digest() == digest.Digest) continue;
            wanted.Add(digest.Key);
            theirs.Add(entry.Snapshot());
        }
        return new SyncReply(wanted, theirs);
    }

    public IReadOnlyList<EntryData> HandleRange(Id160 from, Id160 to) => store.Range(from, to);

    // ---- keeping the replication factor -------------------------------------------------------

    /// <summary>
    /// Anti-entropy, once per period: what this node is primary for goes to its Replicas-1
    /// successors; everything else goes to its predecessor, so keys flow back to a node that
    /// joined in front of us and forward to new replicas after a failure.
    /// </summary>
    public async Task SynchronizeAsync(CancellationToken cancellationToken = default)
    {
        // Writes already reach the current replicas; a full pass is needed when the neighbourhood
        // changed (a join or a failure moved arcs) and now and then as a safety net, not every period.
        var neighbourhood = string.Join(',', ReplicaTargets().Select(n => n.Id).Prepend(ring.Predecessor?.Id ?? Id160.Zero));
        var due = _lastFullSync == 0 || _time.GetElapsedTime(_lastFullSync) >= FullSyncInterval;
        if (!due && string.Equals(neighbourhood, _lastNeighbourhood, StringComparison.Ordinal)) return;
        _lastNeighbourhood = neighbourhood;
        _lastFullSync = _time.GetTimestamp();
        var now = clock.NowUnixMs;
        var owned = new List<StoredEntry>();
        var others = new List<StoredEntry>();
        foreach (var entry in store.Entries)
        {
            entry.Collect(now, (long)TombstoneTtl.TotalMilliseconds);
            (ring.Owns(entry.KeyId) ? owned : others).Add(entry);
        }
        foreach (var target in ReplicaTargets())
            await SyncWithAsync(target, owned, cancellationToken).ConfigureAwait(false);
        var predecessor = ring.Predecessor;
        if (predecessor is not null && predecessor.Id != ring.Self.Id && others.Count > 0)
            await SyncWithAsync(predecessor, others, cancellationToken).ConfigureAwait(false);
    }

    private async Task SyncWithAsync(NodeRef target, IReadOnlyList<StoredEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0) return;
        try
        {
            var digests = entries.Select(e => new KeyDigest(e.Key, e.Digest())).ToList();
            var reply = await transport.SyncAsync(target, digests, cancellationToken).ConfigureAwait(false);
            store.Merge(reply.Theirs);
            if (reply.Wanted.Count == 0) return;
            var wanted = reply.Wanted.Select(k => store.Snapshot(k)).OfType<EntryData>().ToList();
            await transport.MergeAsync(target, wanted, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeUnreachableException)
        {
            // The ring is changing under us; the next period tries again with fresh neighbours.
        }
    }

    /// <summary>A joining node copies the keys it now owns (and replicates) from its successor before it is announced.</summary>
    public async Task TakeOverFromAsync(NodeRef successor, CancellationToken cancellationToken = default)
    {
        if (successor.Id == ring.Self.Id) return;
        // Everything outside (self, successor] is ours as primary or as a replica of an earlier node.
        var entries = await transport.RangeAsync(successor, successor.Id, ring.Self.Id, cancellationToken).ConfigureAwait(false);
        store.Merge(entries);
    }
}

public sealed class DhtUnavailableException(string key, Exception? inner)
    : Exception($"No replica of '{key}' could be reached.", inner);
