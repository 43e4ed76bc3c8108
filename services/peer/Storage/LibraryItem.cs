using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Storage;

/// <summary>A file this peer holds whole and serves.</summary>
public sealed record LibraryItem(Id160 InfoHash, string Name, long Length, LibraryOrigin Origin, DateTimeOffset AddedAt);
