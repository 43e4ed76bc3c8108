namespace BitTorrent.ChordNode.Storage;

/// <summary>One member of a set: a null value is a tombstone. Timestamps are hybrid-clock ticks.</summary>
public sealed record MemberData(string Member, string? Value, long Timestamp, long? ExpiresUnixMs)
{
    /// <summary>
    /// A member that lives until it is removed (a catalog entry, a name): kept on disk. Members that
    /// expire (swarm entries, rewritten by every announce) are soft state and stay in memory.
    /// </summary>
    public bool IsDurable => Value is not null && ExpiresUnixMs is null;
}
