namespace BitTorrent.ChordNode.Storage;

/// <summary>A live member of a set-valued key.</summary>
/// <param name="Member">The member's identity within the set (e.g. a peer id).</param>
/// <param name="Value">Its payload (JSON text chosen by the caller).</param>
/// <param name="UpdatedUnixMs">When it was last written.</param>
/// <param name="ExpiresUnixMs">When it stops being live, or null for never.</param>
public sealed record SetMember(string Member, string Value, long UpdatedUnixMs, long? ExpiresUnixMs);
