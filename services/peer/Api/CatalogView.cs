namespace BitTorrent.Peer.Api;

/// <summary>
/// A catalog row with what this peer can do with it: "have", "downloading", "available" or "unavailable" (no seeder now);
/// its magnet link; when it was published; and <see cref="Available"/>, false for a stale entry (no seeder seen for the
/// tracker's StaleAfter); <see cref="Copies"/>, the publisher's target number of seeders (1: only the publisher), shown as
/// "n of m copies online" above 1.
/// </summary>
public sealed record CatalogView(string InfoHash, string Name, long Length, int Seeders, int Leechers, string Status, string TorrentUrl, string Magnet,
    DateTimeOffset? Published = null, bool Available = true, int Copies = 1);
