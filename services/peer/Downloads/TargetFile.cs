using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>What of a download's saved state can be trusted, given the files it wrote (opened by <see cref="ContentFiles"/>).</summary>
internal static class TargetFile
{
    /// <summary>The verified pieces of a saved download, trusted only if every file is still there at its full length.</summary>
    public static Bitfield? Resumable(DownloadRecord? record, TorrentMetainfo torrent, string targetPath)
    {
        if (record is null || record.State == DownloadState.Cancelled || record.TargetPath != targetPath) return null;
        var paths = ContentFiles.PathsOf(torrent, targetPath);
        for (var i = 0; i < paths.Length; i++)
        {
            var info = new FileInfo(paths[i]);
            if (!info.Exists || info.Length != torrent.Files[i].Length) return null;
        }
        return DownloadStateStore.VerifiedOf(record, torrent.PieceCount);
    }
}
