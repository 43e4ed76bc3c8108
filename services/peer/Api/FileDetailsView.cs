using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Storage;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Api;

/// <summary>
/// A torrent held here or being downloaded, in detail: its name, size, pieces, progress and files.
/// Paths are as they are stored here (each segment made usable); urls are relative.
/// </summary>
public sealed record FileDetailsView(
    string InfoHash,
    string Name,
    long Length,
    int PieceLength,
    int PieceCount,
    bool IsFolder,
    double Progress,
    string? State,
    string? ContentUrl,
    string TorrentUrl,
    string Magnet,
    IReadOnlyList<FileEntryView> Files)
{
    public static FileDetailsView Of(TorrentMetainfo torrent, LibraryItem? held, DownloadSnapshot? download, string magnet)
    {
        var id = torrent.InfoHash.ToString();
        var whole = held is not null;
        var progress = whole ? 1 : download?.Progress ?? 0;
        var files = torrent.Files.Select(f =>
        {
            var path = PathOf(f);
            string? url = !whole ? null : torrent.IsMultiFile ? $"api/files/{id}/content/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}" : $"api/files/{id}/content";
            return new FileEntryView(path, f.Length, whole ? 1 : null, url);
        }).ToList();
        var state = whole ? "held" : download is null ? null : DownloadView.Of(download).State;
        return new FileDetailsView(id, held?.Name ?? download?.Name ?? torrent.Name, torrent.Length, torrent.PieceLength, torrent.PieceCount,
            torrent.IsMultiFile, progress, state, whole && !torrent.IsMultiFile ? $"api/files/{id}/content" : null, $"api/files/{id}/torrent", magnet, files);
    }

    /// <summary>A file's path inside its torrent's folder as stored here ('/' between usable segments).</summary>
    public static string PathOf(TorrentFile file) => string.Join('/', SafeName.SanitizePath(file.Path) ?? file.Path);
}

/// <summary>One file of a torrent: its path, size, progress (1 when held whole, null while unknown) and where to open it.</summary>
public sealed record FileEntryView(string Path, long Length, double? Progress, string? ContentUrl);
