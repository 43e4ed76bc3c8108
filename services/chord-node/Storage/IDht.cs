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

/// <summary>A live member of a set-valued key.</summary>
/// <param name="Member">The member's identity within the set (e.g. a peer id).</param>
/// <param name="Value">Its payload (JSON text chosen by the caller).</param>
/// <param name="UpdatedUnixMs">When it was last written.</param>
/// <param name="ExpiresUnixMs">When it stops being live, or null for never.</param>
public sealed record SetMember(string Member, string Value, long UpdatedUnixMs, long? ExpiresUnixMs);

/// <summary>
/// One change to a set: add or replace (Value set) or remove (Value null). An add with
/// <see cref="MaxLiveMembers"/> is applied only while the set has fewer live members than that (or the member
/// is live already); otherwise the primary skips it and writes nothing, so a full set stays the size it is.
/// </summary>
public sealed record SetUpdate(string Member, string? Value, long? ExpiresUnixMs = null, int? MaxLiveMembers = null)
{
    public bool IsRemove => Value is null;
    public static SetUpdate Add(string member, string value, long? expiresUnixMs = null) => new(member, value, expiresUnixMs);

    /// <summary>An add that is skipped when the set already has <paramref name="maxLiveMembers"/> live members.</summary>
    public static SetUpdate AddCapped(string member, string value, long? expiresUnixMs, int maxLiveMembers) =>
        new(member, value, expiresUnixMs, maxLiveMembers);
    public static SetUpdate Remove(string member) => new(member, null);
}
