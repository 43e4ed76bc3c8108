namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// The receiver's answer to a page of digests: keys it needs from the sender, and its own state of keys
/// that differ (as many as fit in its reply budget; the rest come in a later round).
/// </summary>
public sealed record SyncReply(IReadOnlyList<string> Wanted, IReadOnlyList<EntryData> Theirs);
