using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Storage;

public enum DhtOperationKind { Get, Put, GetSet, UpdateSet, Increment }

/// <summary>
/// A read or write sent to a key's primary. With <paramref name="RequireOwner"/> the receiver
/// refuses (NotOwner) a key outside its arc instead of serving it as a stand-in. With
/// <paramref name="WriteBehind"/> (set updates of soft state only) the primary answers after its own
/// write and replicates a few milliseconds later, coalesced with other writes.
/// </summary>
public sealed record DhtOperation(string Key, DhtOperationKind Kind, byte[]? Value = null, IReadOnlyList<SetUpdate>? Updates = null, bool RequireOwner = false, bool WriteBehind = false);

/// <summary>
/// What the primary answers: a register's value, a set's live members or a counter; and its
/// predecessor, so the caller learns the arc the primary owns.
/// </summary>
public sealed record DhtResult(byte[]? Value = null, IReadOnlyList<SetMember>? Members = null, long Count = 0, bool NotOwner = false, Id160? OwnerFrom = null);

/// <summary>The receiver's answer to a digest: keys it needs from the sender, and its own state of keys that differ.</summary>
public sealed record SyncReply(IReadOnlyList<string> Wanted, IReadOnlyList<EntryData> Theirs);

/// <summary>How storage reaches other members (HTTP in the service, in memory in the simulation).</summary>
public interface IStorageTransport
{
    Task<DhtResult> ApplyAsync(NodeRef target, DhtOperation operation, CancellationToken cancellationToken);
    Task MergeAsync(NodeRef target, IReadOnlyList<EntryData> entries, CancellationToken cancellationToken);
    Task<SyncReply> SyncAsync(NodeRef target, IReadOnlyList<KeyDigest> digests, CancellationToken cancellationToken);
    Task<IReadOnlyList<EntryData>> RangeAsync(NodeRef target, Id160 from, Id160 to, CancellationToken cancellationToken);
}
