namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// A replica's answer to a <see cref="CounterClaim"/>: accepted (and durable there), or refused because the
/// replica already holds that value from another writer or a higher one; <paramref name="Held"/> is its value.
/// </summary>
public sealed record CounterClaimReply(bool Accepted, long Held);
