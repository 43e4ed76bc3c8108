using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Keys moving between nodes as the ring changes. A joining node takes over the keys it now owns or
/// replicates from its successor, page by page, before it is announced. And a node hands off keys it no
/// longer should hold (a node joined in front of it, so it fell out of their replica set): it sends them to
/// the nodes that hold them now and then deletes them from memory and disk.
/// </summary>
public sealed partial class KeyHandoff(
    RingNode ring,
    IStorageTransport transport,
    LocalStore store,
    StorageSettings settings,
    ILogger<KeyHandoff> logger)
{
    /// <summary>A joining node copies the keys it now owns (and replicates) from its successor before it is announced.</summary>
    public async Task TakeOverFromAsync(NodeRef successor, CancellationToken cancellationToken = default)
    {
        if (successor.Id == ring.Self.Id) return;
        // Everything outside (self, successor] is ours as primary or as a replica of an earlier node.
        string? after = null;
        var taken = 0;
        do
        {
            var page = await transport.RangeAsync(successor, successor.Id, ring.Self.Id, after, cancellationToken).ConfigureAwait(false);
            await store.MergeAsync(page.Entries).ConfigureAwait(false);
            taken += page.Entries.Count;
            after = page.Next;
        }
        while (after is not null);
        LogTookOver(logger, taken, successor.Url);
    }

    /// <summary>One page of this node's entries in (from, to], after the key <paramref name="after"/>.</summary>
    public RangePage HandleRange(Id160 from, Id160 to, string? after) =>
        store.Range(from, to, after, settings.RangePageEntries, settings.PageBytes);

    /// <summary>
    /// Finds keys outside the arcs this node holds, (p_r, self] where p_r is its Replicas-th predecessor,
    /// gives each to the key's current holders, and deletes it here once all of them took it. Does nothing
    /// while the walk back along predecessors fails (the ring is changing: never delete on a guess).
    /// </summary>
    public async Task<int> HandOffStrayKeysAsync(CancellationToken cancellationToken = default)
    {
        var start = await ReplicaRangeStartAsync(cancellationToken).ConfigureAwait(false);
        if (start is not { } from) return 0;
        var strays = store.Entries.Where(e => !Id160.InHalfOpen(e.KeyId, from, ring.Self.Id)).OrderBy(e => e.KeyId).ToList();
        var handedOff = 0;
        var i = 0;
        while (i < strays.Count)
        {
            var arc = await HoldersOfAsync(strays[i].KeyId, cancellationToken).ConfigureAwait(false);
            if (arc is null) return handedOff;
            var group = new List<StoredEntry>();
            while (i < strays.Count && Id160.InHalfOpen(strays[i].KeyId, arc.Value.From, arc.Value.Owner)) group.Add(strays[i++]);
            if (group.Count == 0)
            {
                i++; // the ring moved under us; the next pass looks again
                continue;
            }
            if (arc.Value.Holders.Any(h => h.Id == ring.Self.Id)) continue;
            if (!await GiveAsync(arc.Value.Holders, group, cancellationToken).ConfigureAwait(false)) continue;
            foreach (var entry in group)
                if (store.Remove(entry.Key)) handedOff++;
        }
        if (handedOff > 0) LogHandedOff(logger, handedOff);
        return handedOff;
    }

    /// <summary>p_r: the start of the arcs this node holds, found by walking back Replicas predecessors; null when the walk fails or goes round the ring.</summary>
    private async Task<Id160?> ReplicaRangeStartAsync(CancellationToken cancellationToken)
    {
        var current = ring.Predecessor;
        for (var step = 1; current is not null && current.Id != ring.Self.Id; step++)
        {
            if (step == settings.Replicas) return current.Id;
            var asked = current;
            try
            {
                current = (await ring.Transport.GetStateAsync(asked, cancellationToken).ConfigureAwait(false)).Predecessor;
            }
            catch (NodeUnreachableException e)
            {
                LogWalkFailed(logger, asked.Url, e.Message);
                return null;
            }
        }
        // No predecessor yet, or fewer than Replicas+1 members: every node holds every key.
        return null;
    }

    /// <summary>The arc (From, Owner] that holds an id and the nodes that hold it now: its owner and the Replicas-1 after it.</summary>
    private async Task<(Id160 From, Id160 Owner, IReadOnlyList<NodeRef> Holders)?> HoldersOfAsync(Id160 id, CancellationToken cancellationToken)
    {
        try
        {
            var found = await ring.FindSuccessorAsync(id, cancellationToken).ConfigureAwait(false);
            var owner = found.Successor;
            var state = owner.Id == ring.Self.Id ? ring.GetState() : await ring.Transport.GetStateAsync(owner, cancellationToken).ConfigureAwait(false);
            if (state.Predecessor is null) return null;
            var holders = state.Successors.Prepend(owner).DistinctBy(n => n.Id).Take(settings.Replicas).ToList();
            return (state.Predecessor.Id, owner.Id, holders);
        }
        catch (Exception e) when (e is NodeUnreachableException or LookupFailedException)
        {
            LogWalkFailed(logger, id.Short, e.Message);
            return null;
        }
    }

    /// <summary>Merges the entries into every holder; true only when all of them took everything.</summary>
    private async Task<bool> GiveAsync(IReadOnlyList<NodeRef> holders, IReadOnlyList<StoredEntry> entries, CancellationToken cancellationToken)
    {
        var snapshots = entries.Select(e => e.Snapshot()).ToList();
        foreach (var holder in holders)
        {
            try
            {
                foreach (var batch in AntiEntropy.Batches(snapshots, settings.PageBytes))
                    await transport.MergeAsync(holder, batch, cancellationToken).ConfigureAwait(false);
            }
            catch (NodeUnreachableException e)
            {
                LogHandOffFailed(logger, entries.Count, holder.Url, e.Message);
                return false;
            }
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over {Count} keys from {Successor}")]
    private static partial void LogTookOver(ILogger logger, int count, string successor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handed off {Count} keys this node no longer holds, and deleted them here")]
    private static partial void LogHandedOff(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Walk to find held arcs stopped at {Node}: {Reason}")]
    private static partial void LogWalkFailed(ILogger logger, string node, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hand-off of {Count} keys to {Holder} failed ({Reason}); they stay here until the next pass")]
    private static partial void LogHandOffFailed(ILogger logger, int count, string holder, string reason);
}
