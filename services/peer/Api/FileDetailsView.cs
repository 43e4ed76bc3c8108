using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Sharing;
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
    /// <summary>The details; <paramref name="fileProgress"/> gives per file of a download whether it is wanted and its verified bytes (null when held whole or unknown).</summary>
    public static FileDetailsView Of(TorrentMetainfo torrent, LibraryItem? held, DownloadSnapshot? download, string magnet,
        IReadOnlyList<(bool Wanted, long Done)>? fileProgress = null)
    {
        var id = torrent.InfoHash.ToString();
        var whole = held is not null;
        var progress = whole ? 1 : download?.Progress ?? 0;
        var files = torrent.Files.Select((f, i) =>
        {
            var path = PathOf(f);
            string? url = !whole ? null : torrent.IsMultiFile ? $"api/files/{id}/content/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}" : $"api/files/{id}/content";
            if (whole || fileProgress is null || fileProgress.Count != torrent.Files.Count) return new FileEntryView(path, f.Length, whole ? 1 : null, url, true);
            var (wanted, done) = fileProgress[i];
            return new FileEntryView(path, f.Length, f.Length == 0 ? 1 : (double)done / f.Length, url, wanted);
        }).ToList();
        var state = whole ? "held" : download is null ? null : DownloadView.Of(download).State;
        return new FileDetailsView(id, held?.Name ?? download?.Name ?? torrent.Name, torrent.Length, torrent.PieceLength, torrent.PieceCount,
            torrent.IsMultiFile, progress, state, whole && !torrent.IsMultiFile ? $"api/files/{id}/content" : null, $"api/files/{id}/torrent", magnet, files);
    }

    /// <summary>A file's path inside its torrent's folder as stored here ('/' between usable segments).</summary>
    public static string PathOf(TorrentFile file) => FileChoice.PathOf(file);
}

/// <summary>
/// One file of a torrent: its path, size, progress (1 when held whole, null while unknown), where to open it, and
/// whether it is chosen to be fetched (see PUT /api/downloads/{id}/files).
/// </summary>
public sealed record FileEntryView(string Path, long Length, double? Progress, string? ContentUrl, bool Wanted);
