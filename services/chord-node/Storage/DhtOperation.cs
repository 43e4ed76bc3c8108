namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// A read or write sent to a key's primary. With <paramref name="RequireOwner"/> the receiver
/// refuses (NotOwner) a key outside its arc instead of serving it as a stand-in. With
/// <paramref name="WriteBehind"/> (set updates of soft state only) the primary answers after its own
/// write and replicates a few milliseconds later, coalesced with other writes.
/// </summary>
public sealed record DhtOperation(string Key, DhtOperationKind Kind, byte[]? Value = null, IReadOnlyList<SetUpdate>? Updates = null, bool RequireOwner = false, bool WriteBehind = false);
