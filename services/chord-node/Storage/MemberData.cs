namespace BitTorrent.ChordNode.Storage;

/// <summary>One member of a set: a null value is a tombstone. Timestamps are hybrid-clock ticks.</summary>
public sealed record MemberData(string Member, string? Value, long Timestamp, long? ExpiresUnixMs)
{
    // The member as readers see it, made at most once: a swarm's live members are read on every announce, and all but
    // the one that announce wrote are the very MemberData of the previous read. Not part of the record's value.
    private SetMember? _live;

    /// <summary>
    /// A member that lives until it is removed (a catalog entry, a name): kept on disk. Members that
    /// expire (swarm entries, rewritten by every announce) are soft state and stay in memory.
    /// </summary>
    public bool IsDurable => Value is not null && ExpiresUnixMs is null;

    /// <summary>This member as a live set member (for a member with a value).</summary>
    public SetMember AsSetMember() =>
        _live ??= new SetMember(Member, Value ?? throw new InvalidOperationException("A tombstone is not a live member."), HybridClock.ToUnixMs(Timestamp), ExpiresUnixMs);

    public bool Equals(MemberData? other) =>
        other is not null && Member == other.Member && Value == other.Value && Timestamp == other.Timestamp && ExpiresUnixMs == other.ExpiresUnixMs;

    public override int GetHashCode() => HashCode.Combine(Member, Value, Timestamp, ExpiresUnixMs);
}
