using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>What of a download's saved state can be trusted, given the files it wrote (opened by <see cref="ContentFiles"/>).</summary>
internal static class TargetFile
{
    /// <summary>
    /// The verified pieces of a saved download, trusted only if every wanted file is still there at its full
    /// length; an unwanted file that is not there (never created) only loses the pieces it holds bytes of.
    /// </summary>
    public static Bitfield? Resumable(DownloadRecord? record, TorrentMetainfo torrent, string targetPath)
    {
        if (record is null || record.State == DownloadState.Cancelled || record.TargetPath != targetPath) return null;
        if (DownloadStateStore.VerifiedOf(record, torrent.PieceCount) is not { } verified) return null;
        var wanted = WantedFilesOf(record, torrent);
        var paths = ContentFiles.PathsOf(torrent, targetPath);
        var lost = new bool[torrent.PieceCount];
        for (var i = 0; i < paths.Length; i++)
        {
            var info = new FileInfo(paths[i]);
            if (info.Exists && info.Length == torrent.Files[i].Length) continue;
            if (wanted is null || wanted[i]) return null;
            if (torrent.Layout.PiecesOfFile(i) is var (first, last))
                for (var piece = first; piece <= last; piece++) lost[piece] = true;
        }
        var kept = new Bitfield(torrent.PieceCount);
        for (var piece = 0; piece < lost.Length; piece++)
            if (verified[piece] && !lost[piece]) kept.Set(piece);
        return kept;
    }

    /// <summary>The saved choice of files, or null (every file) when none was saved or it does not fit the torrent.</summary>
    public static bool[]? WantedFilesOf(DownloadRecord? record, TorrentMetainfo torrent) =>
        record?.WantedFiles is { } files && files.Length == torrent.Files.Count ? files : null;
}
