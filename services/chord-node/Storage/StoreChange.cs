namespace BitTorrent.ChordNode.Storage;

/// <summary>One change to a key's durable state, as the persistence layer writes it.</summary>
public abstract record StoreChange(string Key)
{
    /// <summary>A register's value and version.</summary>
    public sealed record RegisterWritten(string Key, byte[]? Value, long Version) : StoreChange(Key);

    /// <summary>A counter's value.</summary>
    public sealed record CounterWritten(string Key, long Count) : StoreChange(Key);

    /// <summary>A set member's state (a durable member, or the tombstone or soft state that replaced one on disk).</summary>
    public sealed record MemberWritten(string Key, MemberData Member) : StoreChange(Key);

    /// <summary>A set member collected (a tombstone or an expired member past the grace period).</summary>
    public sealed record MemberDeleted(string Key, string Member) : StoreChange(Key);

    /// <summary>The whole key: an empty set, or a key handed off to the nodes that hold it now.</summary>
    public sealed record KeyDeleted(string Key) : StoreChange(Key);
}
