namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>A catalog row: a published file and how many peers serve it now.</summary>
public sealed record TrackerFileSummary(string InfoHash, string Name, long Length, int Seeders, int Leechers);
