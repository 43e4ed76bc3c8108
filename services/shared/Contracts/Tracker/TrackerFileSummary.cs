namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// A catalog row: a published file, how many peers serve it now, when it was first published (null for
/// files published before the tracker kept that date), and whether a seeder was seen within the tracker's
/// <c>StaleAfter</c> (false: a stale entry, shown as unavailable). <see cref="Copies"/> is the publisher's target number
/// of seeders (1: only the publisher); <see cref="Seeders"/> against it reads "2 of 3 copies online".
/// </summary>
public sealed record TrackerFileSummary(string InfoHash, string Name, long Length, int Seeders, int Leechers, DateTimeOffset? Published = null, bool Available = true,
    int Copies = 1);
