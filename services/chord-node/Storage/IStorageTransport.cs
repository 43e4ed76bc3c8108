using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>How storage reaches other members (HTTP in the service, in memory in tests).</summary>
public interface IStorageTransport
{
    /// <summary>Has the target apply an operation as the key's primary (or as a stand-in for a dead one).</summary>
    Task<DhtResult> ApplyAsync(NodeRef target, DhtOperation operation, CancellationToken cancellationToken);

    /// <summary>Merges entries into the target's store; returns once the target holds them (durably, for durable state).</summary>
    Task MergeAsync(NodeRef target, IReadOnlyList<EntryData> entries, CancellationToken cancellationToken);

    /// <summary>Offers a counter value to the target as a replica; returns whether it accepted it (durably) or refused it.</summary>
    Task<CounterClaimReply> ClaimCounterAsync(NodeRef target, CounterClaim claim, CancellationToken cancellationToken);

    /// <summary>Compares one page of digests with the target's store.</summary>
    Task<SyncReply> SyncAsync(NodeRef target, IReadOnlyList<KeyDigest> digests, CancellationToken cancellationToken);

    /// <summary>One page of the target's entries whose key id lies in (from, to], continuing after the key <paramref name="after"/>.</summary>
    Task<RangePage> RangeAsync(NodeRef target, Id160 from, Id160 to, string? after, CancellationToken cancellationToken);
}
