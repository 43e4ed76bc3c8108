using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// What the primary answers: a register's value, a set's live members or a counter; and its
/// predecessor, so the caller learns the arc the primary owns. <paramref name="Absent"/>: a read found
/// nothing at a node that does not know itself the key's owner (a stand-in, or a node whose view of the
/// ring is still settling), so the caller asks the next holder before it believes the key is missing.
/// </summary>
public sealed record DhtResult(byte[]? Value = null, IReadOnlyList<SetMember>? Members = null, long Count = 0, bool NotOwner = false, Id160? OwnerFrom = null, bool Absent = false);
