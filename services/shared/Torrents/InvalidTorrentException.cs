namespace BitTorrent.Shared.Torrents;

/// <summary>A .torrent that is not a valid single-file BEP 3 metainfo, with the reason.</summary>
public sealed class InvalidTorrentException(string message, Exception? inner = null) : FormatException(message, inner);
