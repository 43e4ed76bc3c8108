namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// A key's replicated state as it travels between nodes. Every kind merges so replicas converge
/// whatever order updates arrive in: registers by version (last writer wins), sets member by
/// member by timestamp (a removal is a tombstone), counters by maximum.
/// </summary>
public sealed record EntryData(
    string Key,
    EntryKind Kind,
    byte[]? Value = null,
    long Version = 0,
    IReadOnlyList<MemberData>? Members = null,
    long Count = 0)
{
    /// <summary>
    /// About how many bytes this entry takes as JSON on the wire (a register's bytes travel as base64),
    /// so pages of entries can be bounded in size without serializing them twice.
    /// </summary>
    public long EstimatedBytes()
    {
        long bytes = 64 + Key.Length;
        if (Value is not null) bytes += (Value.Length + 2) / 3 * 4;
        foreach (var member in Members ?? []) bytes += 64 + member.Member.Length + (member.Value?.Length ?? 0);
        return bytes;
    }
}
