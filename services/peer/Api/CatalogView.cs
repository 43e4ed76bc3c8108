namespace BitTorrent.Peer.Api;

/// <summary>A catalog row with what this peer can do with it: "have", "downloading", "available" or "unavailable"; its magnet link; and when it was published.</summary>
public sealed record CatalogView(string InfoHash, string Name, long Length, int Seeders, int Leechers, string Status, string TorrentUrl, string Magnet, DateTimeOffset? Published = null);
