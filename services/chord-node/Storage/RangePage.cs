namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// One page of the entries in an arc, in ring order from the arc's start. <paramref name="Next"/> is the
/// key to continue after, or null when this was the last page.
/// </summary>
public sealed record RangePage(IReadOnlyList<EntryData> Entries, string? Next);
