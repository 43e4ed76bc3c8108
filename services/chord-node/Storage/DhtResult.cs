using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// What the primary answers: a register's value, a set's live members or a counter; and its
/// predecessor, so the caller learns the arc the primary owns.
/// </summary>
public sealed record DhtResult(byte[]? Value = null, IReadOnlyList<SetMember>? Members = null, long Count = 0, bool NotOwner = false, Id160? OwnerFrom = null);
