using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using Refit;

namespace BitTorrent.ChordNode.Rpc;

/// <summary>Ring RPC between members (typed Refit client). Every request carries the ring secret.</summary>
public interface IChordRpc
{
    [Get("/chord/state")]
    Task<NodeState> GetStateAsync(CancellationToken cancellationToken);

    [Post("/chord/step")]
    Task<LookupStep> FindSuccessorStepAsync([Body] LookupStepRequest request, CancellationToken cancellationToken);

    [Post("/chord/rectify")]
    Task RectifyAsync([Body] NodeRef candidate, CancellationToken cancellationToken);

    [Get("/chord/ping")]
    Task PingAsync(CancellationToken cancellationToken);

    [Post("/dht/apply")]
    Task<DhtResult> ApplyAsync([Body] DhtOperation operation, CancellationToken cancellationToken);

    [Post("/dht/merge")]
    Task MergeAsync([Body] IReadOnlyList<EntryData> entries, CancellationToken cancellationToken);

    [Post("/dht/claim")]
    Task<CounterClaimReply> ClaimCounterAsync([Body] CounterClaim claim, CancellationToken cancellationToken);

    [Post("/dht/sync")]
    Task<SyncReply> SyncAsync([Body] IReadOnlyList<KeyDigest> digests, CancellationToken cancellationToken);

    [Post("/dht/range")]
    Task<RangePage> RangeAsync([Body] RangeRequest request, CancellationToken cancellationToken);
}
