using System.Collections.Concurrent;
using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Logging.Abstractions;

namespace BitTorrent.UnitTests.ChordNode.Storage;

/// <summary>
/// One node's storage parts, composed as the service composes them, on a ring whose neighbours answer
/// through a <see cref="RecordingTransport"/> (merges are recorded; the test decides who is dead).
/// </summary>
public sealed class StorageRig
{
    public StorageRig(NodeRef self, IReadOnlyList<NodeRef> successors, StorageSettings? settings = null, LocalStore? store = null, RecordingTransport? transport = null)
    {
        Settings = settings ?? new StorageSettings();
        Transport = transport ?? new RecordingTransport();
        Ring = new RingNode(self, Transport, successorListLength: 4);
        if (successors.Count > 0) Ring.SetSuccessors(successors[0], successors.Skip(1));
        Store = store ?? new LocalStore();
        var time = TimeProvider.System;
        Clock = new HybridClock(time);
        FanOut = new ReplicaFanOut(Ring, Transport, Settings, NullLogger<ReplicaFanOut>.Instance);
        WriteBehind = new WriteBehindReplicator(FanOut, Settings, time, NullLogger<WriteBehindReplicator>.Instance);
        Primary = new PrimaryApplier(Ring, Store, Clock, FanOut, WriteBehind, Transport, Settings, time, NullLogger<PrimaryApplier>.Instance);
        AntiEntropy = new AntiEntropy(Ring, Transport, Store, FanOut, Settings, time, NullLogger<AntiEntropy>.Instance);
        Router = new DhtRouter(Ring, Transport, Primary, Settings, time, NullLogger<DhtRouter>.Instance);
        Handoff = new KeyHandoff(Ring, Transport, Store, Settings, NullLogger<KeyHandoff>.Instance);
    }

    public StorageSettings Settings { get; }
    public RecordingTransport Transport { get; }
    public RingNode Ring { get; }
    public LocalStore Store { get; }
    public HybridClock Clock { get; }
    public ReplicaFanOut FanOut { get; }
    public WriteBehindReplicator WriteBehind { get; }
    public PrimaryApplier Primary { get; }
    public AntiEntropy AntiEntropy { get; }
    public DhtRouter Router { get; }
    public KeyHandoff Handoff { get; }

    public static async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition never held");
            await Task.Delay(10);
        }
        await Task.Delay(50); // and nothing more arrives right after
    }
}

public sealed record RecordedMerge(NodeRef Target, IReadOnlyList<EntryData> Entries);

/// <summary>
/// Storage and ring RPC to the other members, in memory: merges are recorded (and applied to a member's
/// store when one is attached; a counter claim is recorded as a merge of its value), sync requests answered by attached stores, and dead members refuse everything.
/// </summary>
public sealed class RecordingTransport : IStorageTransport, IRingTransport
{
    private readonly ConcurrentQueue<RecordedMerge> _merges = new();
    private readonly ConcurrentQueue<int> _syncPages = new();

    public ConcurrentDictionary<Id160, bool> Dead { get; } = new();
    public ConcurrentDictionary<Id160, AntiEntropy> Peers { get; } = new();
    public ConcurrentDictionary<Id160, NodeState> States { get; } = new();
    public IReadOnlyList<RecordedMerge> Merges => [.. _merges];

    /// <summary>The number of digests in each sync request, in order.</summary>
    public IReadOnlyList<int> SyncPages => [.. _syncPages];

    private void Reach(NodeRef target)
    {
        if (Dead.ContainsKey(target.Id)) throw new NodeUnreachableException(target, "dead");
    }

    /// <summary>Holds counter writes to replicas when the test asks (to line up two writers).</summary>
    public HeldWrites CounterWrites { get; } = new();

    public async Task MergeAsync(NodeRef target, IReadOnlyList<EntryData> entries, CancellationToken cancellationToken)
    {
        Reach(target);
        if (entries.Any(e => e.Kind == EntryKind.Counter)) await CounterWrites.WaitAsync();
        _merges.Enqueue(new RecordedMerge(target, entries));
        if (Stores.TryGetValue(target.Id, out var store)) await store.MergeAsync(entries);
    }

    public ConcurrentDictionary<Id160, LocalStore> Stores { get; } = new();

    /// <summary>Runs before a claim reaches its target (to have another writer get there first).</summary>
    public Func<NodeRef, CounterClaim, Task>? BeforeClaim { get; set; }

    /// <summary>A counter claim is recorded as a merge of its value; a member without an attached store accepts it.</summary>
    public async Task<CounterClaimReply> ClaimCounterAsync(NodeRef target, CounterClaim claim, CancellationToken cancellationToken)
    {
        Reach(target);
        await CounterWrites.WaitAsync();
        if (BeforeClaim is { } before) await before(target, claim);
        _merges.Enqueue(new RecordedMerge(target, [new EntryData(claim.Key, EntryKind.Counter, Count: claim.Value)]));
        return Stores.TryGetValue(target.Id, out var store) ? await store.ClaimAsync(claim) : new CounterClaimReply(true, claim.Value);
    }

    public Task<SyncReply> SyncAsync(NodeRef target, IReadOnlyList<KeyDigest> digests, CancellationToken cancellationToken)
    {
        Reach(target);
        _syncPages.Enqueue(digests.Count);
        return Peers.TryGetValue(target.Id, out var peer)
            ? Task.FromResult(peer.HandleSync(digests))
            : Task.FromResult(new SyncReply(digests.Select(d => d.Key).ToList(), []));
    }

    /// <summary>Other members' primaries, which answer <see cref="ApplyAsync"/>.</summary>
    public ConcurrentDictionary<Id160, PrimaryApplier> Primaries { get; } = new();

    public Task<DhtResult> ApplyAsync(NodeRef target, DhtOperation operation, CancellationToken cancellationToken)
    {
        Reach(target);
        return Primaries.TryGetValue(target.Id, out var primary) ? primary.ApplyAsPrimaryAsync(operation, cancellationToken) : throw new NotSupportedException();
    }
    public Task<RangePage> RangeAsync(NodeRef target, Id160 from, Id160 to, string? after, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<NodeState> GetStateAsync(NodeRef target, CancellationToken cancellationToken)
    {
        Reach(target);
        return States.TryGetValue(target.Id, out var state) ? Task.FromResult(state) : throw new NodeUnreachableException(target, "unknown");
    }

    /// <summary>How a remote member answers one lookup step.</summary>
    public Func<Id160, LookupStep>? Lookup { get; set; }

    public Task<LookupStep> FindSuccessorStepAsync(NodeRef target, Id160 id, IReadOnlyCollection<Id160> exclude, CancellationToken cancellationToken)
    {
        Reach(target);
        return Lookup is null ? throw new NotSupportedException() : Task.FromResult(Lookup(id));
    }
    public Task RectifyAsync(NodeRef target, NodeRef candidate, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task PingAsync(NodeRef target, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>
/// Writes that wait until the test releases them: between <see cref="Hold"/> and <see cref="ReleaseAll"/> every
/// write that passes here waits; otherwise writes pass at once.
/// </summary>
public sealed class HeldWrites
{
    private readonly Lock _gate = new();
    private List<TaskCompletionSource>? _held;

    public int Held
    {
        get { lock (_gate) return _held?.Count ?? 0; }
    }

    public void Hold()
    {
        lock (_gate) _held ??= [];
    }

    public Task WaitAsync()
    {
        lock (_gate)
        {
            if (_held is null) return Task.CompletedTask;
            var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _held.Add(waiting);
            return waiting.Task;
        }
    }

    /// <summary>Lets every held write go on, and the writes after it pass at once.</summary>
    public void ReleaseAll()
    {
        List<TaskCompletionSource> released;
        lock (_gate) (released, _held) = (_held ?? [], null);
        foreach (var write in released) write.SetResult();
    }

    /// <summary>Waits until at least <paramref name="count"/> writes are held.</summary>
    public async Task UntilHeldAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Held < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"only {Held} of {count} writes arrived");
            await Task.Delay(1);
        }
    }
}
