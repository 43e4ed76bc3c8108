namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// A catalog row: a published file, how many peers serve it now, when it was first published (null for
/// files published before the tracker kept that date), and whether a seeder was seen within the tracker's
/// <c>StaleAfter</c> (false: a stale entry, shown as unavailable).
/// </summary>
public sealed record TrackerFileSummary(string InfoHash, string Name, long Length, int Seeders, int Leechers, DateTimeOffset? Published = null, bool Available = true);
