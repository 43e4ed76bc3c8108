namespace BitTorrent.ChordNode.Storage;

/// <summary>One change to a set: add or replace (Value set) or remove (Value null).</summary>
public sealed record SetUpdate(string Member, string? Value, long? ExpiresUnixMs = null)
{
    public bool IsRemove => Value is null;
    public static SetUpdate Add(string member, string value, long? expiresUnixMs = null) => new(member, value, expiresUnixMs);
    public static SetUpdate Remove(string member) => new(member, null);
}
