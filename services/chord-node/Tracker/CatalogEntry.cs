namespace BitTorrent.ChordNode.Tracker;

/// <summary>A member of <c>catalog/{p}</c> (member = info-hash hex).</summary>
internal sealed record CatalogEntry(string InfoHash, string Name, long Length);
