namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>The result of publishing a .torrent; <see cref="Created"/> is false when it was already published.</summary>
public sealed record PublishedTorrent(string InfoHash, string Name, long Length, long PieceLength, int PieceCount, bool Created);
