using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Anti-entropy: keeps replicas equal by comparing digests. What this node is primary for goes to its
/// Replicas-1 successors; everything else it holds goes to its predecessor, so keys flow back to a node
/// that joined in front of us and forward to new replicas after a failure. Digests travel in pages of
/// <see cref="StorageSettings.SyncPageKeys"/>, and entries in answers and merges are bounded in bytes,
/// so no request or response grows with the number of keys.
/// </summary>
public sealed partial class AntiEntropy(
    RingNode ring,
    IStorageTransport transport,
    LocalStore store,
    ReplicaFanOut fanOut,
    StorageSettings settings,
    TimeProvider time,
    ILogger<AntiEntropy> logger)
{
    private string? _lastNeighbourhood;
    private long _lastFullPass;

    /// <summary>Digest requests sent (pages), for tests and tools.</summary>
    public long PagesSent => Interlocked.Read(ref _pagesSent);
    private long _pagesSent;

    /// <summary>
    /// True when a full pass is due: the neighbourhood changed (a join or a failure moved arcs), or the
    /// safety-net interval passed. Writes already reach the current replicas, so not every period.
    /// </summary>
    public bool PassDue()
    {
        var neighbourhood = string.Join(',', fanOut.Targets().Select(n => n.Id).Prepend(ring.Predecessor?.Id ?? Id160.Zero));
        var due = _lastFullPass == 0 || time.GetElapsedTime(_lastFullPass) >= settings.FullSyncInterval;
        if (!due && string.Equals(neighbourhood, _lastNeighbourhood, StringComparison.Ordinal)) return false;
        _lastNeighbourhood = neighbourhood;
        _lastFullPass = time.GetTimestamp();
        return true;
    }

    /// <summary>One full pass: owned keys with each replica, the rest with the predecessor.</summary>
    public async Task RunPassAsync(CancellationToken cancellationToken = default)
    {
        var owned = new List<StoredEntry>();
        var others = new List<StoredEntry>();
        foreach (var entry in store.Entries) (ring.Owns(entry.KeyId) ? owned : others).Add(entry);
        foreach (var target in fanOut.Targets())
            await SyncWithAsync(target, owned, cancellationToken).ConfigureAwait(false);
        var predecessor = ring.Predecessor;
        if (predecessor is not null && predecessor.Id != ring.Self.Id)
            await SyncWithAsync(predecessor, others, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Compares the entries with the target page by page: takes the target's newer state, and sends what the
    /// target lacks or has older. Stops at the first unreachable answer (the next pass tries again).
    /// </summary>
    internal async Task SyncWithAsync(NodeRef target, IReadOnlyList<StoredEntry> entries, CancellationToken cancellationToken = default)
    {
        try
        {
            foreach (var page in entries.Chunk(settings.SyncPageKeys))
            {
                var digests = new KeyDigest[page.Length];
                for (var i = 0; i < page.Length; i++) digests[i] = new KeyDigest(page[i].Key, page[i].Digest());
                Interlocked.Increment(ref _pagesSent);
                var reply = await transport.SyncAsync(target, digests, cancellationToken).ConfigureAwait(false);
                await store.MergeAsync(reply.Theirs).ConfigureAwait(false);
                if (reply.Wanted.Count == 0) continue;
                var wanted = reply.Wanted.Select(store.Snapshot).OfType<EntryData>().ToList();
                foreach (var batch in Batches(wanted, settings.PageBytes))
                    await transport.MergeAsync(target, batch, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (NodeUnreachableException e)
        {
            LogSyncInterrupted(logger, target.Url, e.Message);
        }
    }

    /// <summary>
    /// Answers one page of digests: the keys this node lacks or holds differently (the sender sends them), and
    /// this node's own state of differing keys up to the byte budget (the sender merges them; keys past the
    /// budget follow in a later pass, once the sender's state has been merged here).
    /// </summary>
    public SyncReply HandleSync(IReadOnlyList<KeyDigest> digests)
    {
        if (digests.Count > StorageSettings.MaxSyncPageKeys)
            throw new ArgumentException($"At most {StorageSettings.MaxSyncPageKeys} digests per request.", nameof(digests));
        var wanted = new List<string>();
        var theirs = new List<EntryData>();
        long bytes = 0;
        foreach (var digest in digests)
        {
            var entry = store.Find(digest.Key);
            if (entry is null) { wanted.Add(digest.Key); continue; }
            if (entry.Digest() == digest.Digest) continue;
            wanted.Add(digest.Key);
            if (theirs.Count > 0 && bytes >= settings.PageBytes) continue;
            var snapshot = entry.Snapshot();
            bytes += snapshot.EstimatedBytes();
            theirs.Add(snapshot);
        }
        return new SyncReply(wanted, theirs);
    }

    /// <summary>Splits entries into batches of about <paramref name="maxBytes"/> (at least one entry each).</summary>
    public static IEnumerable<List<EntryData>> Batches(IReadOnlyList<EntryData> entries, long maxBytes)
    {
        var batch = new List<EntryData>();
        long bytes = 0;
        foreach (var entry in entries)
        {
            var size = entry.EstimatedBytes();
            if (batch.Count > 0 && bytes + size > maxBytes)
            {
                yield return batch;
                (batch, bytes) = ([], 0);
            }
            batch.Add(entry);
            bytes += size;
        }
        if (batch.Count > 0) yield return batch;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Synchronisation with {Target} stopped: {Reason}; the next pass tries again")]
    private static partial void LogSyncInterrupted(ILogger logger, string target, string reason);
}
