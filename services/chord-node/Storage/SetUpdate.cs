namespace BitTorrent.ChordNode.Storage;

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
