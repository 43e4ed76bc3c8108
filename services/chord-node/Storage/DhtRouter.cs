using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// Replicated storage as the tracker calls it (<see cref="IDht"/>): any node serves any call by sending the
/// operation to the key's primary. The primary comes from the owner cache when it knows the arc (no lookup),
/// else from a lookup; an unreachable primary falls over to the next holder, which already has the key.
/// </summary>
public sealed partial class DhtRouter(
    RingNode ring,
    IStorageTransport transport,
    PrimaryApplier primary,
    StorageSettings settings,
    TimeProvider time,
    ILogger<DhtRouter> logger) : IDht
{
    private const int Attempts = 4;
    private readonly OwnerCache _owners = new(time, TimeSpan.FromSeconds(30));
    private long _forwarded;

    /// <summary>Operations this node sent on to another member because it does not own their key.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

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

    /// <summary>Has the key's primary apply the operation: the cached owner first, else a lookup, with fail-over to the next holders.</summary>
    public async Task<DhtResult> ExecuteAsync(DhtOperation operation, CancellationToken cancellationToken = default)
    {
        var keyId = Id160.Hash(operation.Key);
        var owned = ring.Predecessor is not null && ring.Owns(keyId);
        var cached = owned ? ring.Self : _owners.Find(keyId);
        if (cached is not null)
        {
            try
            {
                var result = await SendAsync(cached, operation with { RequireOwner = true }, cancellationToken).ConfigureAwait(false);
                if (!result.NotOwner && !result.Absent) return Learned(cached, result);
                // Not the owner any more, or a miss it is not sure of: find the holders by a lookup.
                if (result.NotOwner) _owners.Forget(cached);
            }
            catch (NodeUnreachableException e)
            {
                LogHolderUnreachable(logger, operation.Key, cached.Url, e.Message);
                _owners.Forget(cached);
                ring.Forget(cached);
            }
        }

        Exception? last = null;
        DhtResult? absent = null;
        var started = time.GetTimestamp();
        // While holders answer without the key but none is sure of its arc, keep looking until an arc would have settled.
        for (var attempt = 0; attempt < Attempts || (absent is not null && time.GetElapsedTime(started) < settings.ArcSettleTime); attempt++)
        {
            if (attempt > 0) await Task.Delay(settings.RetryDelay, time, cancellationToken).ConfigureAwait(false);
            LookupResult found;
            try
            {
                found = await ring.FindSuccessorAsync(keyId, cancellationToken).ConfigureAwait(false);
            }
            catch (LookupFailedException e)
            {
                LogLookupFailed(logger, operation.Key, e.Message);
                last = e;
                continue;
            }
            // The successor first; when it is dead, the next holder already has the key and stands in.
            // A counter is never served by a stand-in: only the owner may hand out the next id.
            var strict = operation.Kind == DhtOperationKind.Increment;
            foreach (var holder in found.Candidates.Take(strict ? 1 : settings.Replicas))
            {
                try
                {
                    var result = await SendAsync(holder, strict ? operation with { RequireOwner = true } : operation, cancellationToken).ConfigureAwait(false);
                    if (result.NotOwner) break; // the ring is still settling; ask again shortly
                    // A read that found nothing at a node not sure of its arc: the next holder may have it, or a
                    // later look once the ring has settled.
                    if (result.Absent)
                    {
                        absent ??= result;
                        continue;
                    }
                    return Learned(holder, result);
                }
                catch (NodeUnreachableException e)
                {
                    LogHolderUnreachable(logger, operation.Key, holder.Url, e.Message);
                    last = e;
                    ring.Forget(holder);
                    _owners.Forget(holder);
                }
            }
        }
        // Holders answered without the key, none sure of its arc (the ring changed moments ago), and no later
        // look found it: it is missing.
        if (absent is not null) return absent with { Absent = false };
        LogUnavailable(logger, operation.Key, operation.Kind);
        throw new DhtUnavailableException(operation.Key, last);
    }

    private Task<DhtResult> SendAsync(NodeRef holder, DhtOperation operation, CancellationToken cancellationToken)
    {
        if (holder.Id == ring.Self.Id) return primary.ApplyAsPrimaryAsync(operation, cancellationToken);
        Interlocked.Increment(ref _forwarded);
        return transport.ApplyAsync(holder, operation, cancellationToken);
    }

    private DhtResult Learned(NodeRef owner, DhtResult result)
    {
        if (result.OwnerFrom is { } from && owner.Id != ring.Self.Id) _owners.Learn(from, owner);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Holder {Holder} of {Key} did not answer: {Reason}")]
    private static partial void LogHolderUnreachable(ILogger logger, string key, string holder, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Lookup for {Key} failed: {Reason}")]
    private static partial void LogLookupFailed(ILogger logger, string key, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No holder of {Key} could apply a {Kind}")]
    private static partial void LogUnavailable(ILogger logger, string key, DhtOperationKind kind);
}
