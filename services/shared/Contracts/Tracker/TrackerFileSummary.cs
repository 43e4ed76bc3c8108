namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// A catalog row: a published file, how many peers serve it now, and when it was first published (null for
/// files published before the tracker kept that date).
/// </summary>
public sealed record TrackerFileSummary(string InfoHash, string Name, long Length, int Seeders, int Leechers, DateTimeOffset? Published = null);
