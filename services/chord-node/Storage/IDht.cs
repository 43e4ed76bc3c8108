namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// The replicated key-value store as the tracker sees it. Any node can serve any call: the
/// implementation finds the key's primary on the ring, which applies the change and its replicas
/// before the call returns.
/// </summary>
public interface IDht
{
    /// <summary>The value of a last-writer-wins register, or null when the key was never written.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Writes a last-writer-wins register (versioned by a hybrid clock at the primary).</summary>
    Task PutAsync(string key, byte[] value, CancellationToken cancellationToken = default);

    /// <summary>The live members of a set: neither removed nor expired.</summary>
    Task<IReadOnlyList<SetMember>> GetSetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds, replaces or removes members atomically at the primary and returns the live members
    /// afterwards (so an announce costs one round trip). Concurrent updates of one set never lose each other.
    /// </summary>
    Task<IReadOnlyList<SetMember>> UpdateSetAsync(string key, IReadOnlyList<SetUpdate> updates, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="UpdateSetAsync"/> for soft state (entries that expire and are rewritten, like a swarm's
    /// announces): the primary answers after its own write and sends the change to its replicas within a
    /// few milliseconds, coalesced with other writes (write-behind). The trade-off: when the primary dies,
    /// the changes it had not yet replicated are lost; clients write them again on their next announce.
    /// Reads and the other operations keep their synchronous replication. By default this is UpdateSetAsync.
    /// </summary>
    Task<IReadOnlyList<SetMember>> UpdateSetWriteBehindAsync(string key, IReadOnlyList<SetUpdate> updates, CancellationToken cancellationToken = default) =>
        UpdateSetAsync(key, updates, cancellationToken);

    /// <summary>Atomically increments a counter at its primary and returns the new value (the first call returns 1).</summary>
    Task<long> IncrementAsync(string key, CancellationToken cancellationToken = default);
}
