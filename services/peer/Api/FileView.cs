using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;

namespace BitTorrent.Peer.Api;

/// <summary>A file this peer holds: published here or downloaded.</summary>
public sealed record FileView(string InfoHash, string Name, long Length, string Origin, DateTimeOffset AddedAt, string ContentUrl, string TorrentUrl, string Magnet)
{
    public static FileView Of(LibraryItem item, MagnetLinks links)
    {
        var id = item.InfoHash.ToString();
        return new FileView(id, item.Name, item.Length, item.Origin.ToString().ToLowerInvariant(), item.AddedAt,
            $"api/files/{id}/content", $"api/files/{id}/torrent", links.For(item.InfoHash, item.Name));
    }
}
