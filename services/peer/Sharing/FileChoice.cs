using System.Net;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// A user's choice of a torrent's files, by the paths the file's details show (<c>files[].path</c>:
/// '/' between segments made usable), turned into one flag per file in torrent order.
/// </summary>
public static class FileChoice
{
    /// <summary>A file's path inside its torrent's folder as stored here ('/' between usable segments).</summary>
    public static string PathOf(TorrentFile file) => string.Join('/', SafeName.SanitizePath(file.Path) ?? file.Path);

    /// <summary>One flag per file of <paramref name="torrent"/>: true for the files named; refused (400) when none is named or a path is not the torrent's.</summary>
    public static bool[] Resolve(TorrentMetainfo torrent, IReadOnlyList<string?> paths)
    {
        if (paths.Count == 0 || paths.Any(p => p is null))
            throw new DownloadRefusedException(HttpStatusCode.BadRequest, "No files chosen", "Choose at least one file, by its path as the file's details list it.");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < torrent.Files.Count; i++) index.TryAdd(PathOf(torrent.Files[i]), i);
        var unknown = paths.Where(p => !index.ContainsKey(p!)).Take(3).Select(p => p!.Length > 200 ? p[..200] + "…" : p).ToList();
        if (unknown.Count > 0)
            throw new DownloadRefusedException(HttpStatusCode.BadRequest, "No such file", $"{torrent.Name} has no file {string.Join(", ", unknown.Select(p => $"'{p}'"))}.");
        var wanted = new bool[torrent.Files.Count];
        foreach (var path in paths) wanted[index[path!]] = true;
        return wanted;
    }
}
