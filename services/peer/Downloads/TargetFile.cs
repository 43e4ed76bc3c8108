using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;
using Microsoft.Win32.SafeHandles;

namespace BitTorrent.Peer.Downloads;

/// <summary>The file a download writes: opened at its full length, and what of a saved state can be trusted.</summary>
internal static class TargetFile
{
    /// <summary>
    /// Opens (or creates) the file at its full length; pieces are written in place at their
    /// offsets. A new file is preallocated (the OS reserves the blocks at once).
    /// </summary>
    public static SafeFileHandle Open(string path, long length, bool truncate)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var file = truncate
            ? File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, FileOptions.None, preallocationSize: length)
            : File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        if (RandomAccess.GetLength(file) != length) RandomAccess.SetLength(file, length);
        return file;
    }

    /// <summary>The verified pieces of a saved download, trusted only if the file is still there at full length.</summary>
    public static Bitfield? Resumable(DownloadRecord? record, TorrentMetainfo torrent, string targetPath)
    {
        if (record is null || record.State == DownloadState.Cancelled || record.TargetPath != targetPath) return null;
        var info = new FileInfo(targetPath);
        if (!info.Exists || info.Length != torrent.Length) return null;
        return DownloadStateStore.VerifiedOf(record, torrent.PieceCount);
    }
}
