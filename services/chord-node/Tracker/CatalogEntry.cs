namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// A member of <c>catalog/{p}</c> (member = info-hash hex). <see cref="Published"/> is when the file was first
/// published; entries written before the tracker kept it have none (and sort last by date).
/// </summary>
internal sealed record CatalogEntry(string InfoHash, string Name, long Length, DateTimeOffset? Published = null);
