using BitTorrent.Shared.Torrents;
using Microsoft.Win32.SafeHandles;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The files a torrent's bytes live in, addressed as BEP 3 does: one run of bytes, the files one
/// after the other. Reads and writes are positional (<see cref="RandomAccess"/>) at torrent offsets
/// and are split where a file ends, so a piece that straddles files is written to and read from
/// each of them. A torrent of one file goes straight to its handle (the common case stays one
/// syscall, no allocation). Files are opened when first touched and kept open; a file being
/// downloaded that is not wanted is created only when a piece it shares with a wanted file is
/// written. Handles are used from the engine thread and the block writer's; opening is locked.
/// </summary>
internal sealed class ContentFiles : IDisposable
{
    private readonly FileLayout _layout;
    private readonly string[] _paths;
    private readonly SafeFileHandle?[] _handles;
    private readonly bool _writable;
    private readonly Lock _opening = new();
    private SafeFileHandle? _single;
    private bool _disposed;

    private ContentFiles(FileLayout layout, string[] paths, bool writable)
    {
        _layout = layout;
        _paths = paths;
        _writable = writable;
        _handles = new SafeFileHandle?[paths.Length];
    }

    /// <summary>The local path of each file of the torrent, in torrent order.</summary>
    public IReadOnlyList<string> Paths => _paths;

    /// <summary>
    /// Where each file of <paramref name="torrent"/> lives below <paramref name="contentPath"/>: the path itself
    /// for a single-file torrent, else the folder holding each file at its (sanitised, checked) relative path.
    /// </summary>
    public static string[] PathsOf(TorrentMetainfo torrent, string contentPath)
    {
        if (!torrent.IsMultiFile) return [contentPath];
        var paths = new string[torrent.Files.Count];
        for (var i = 0; i < paths.Length; i++)
        {
            var segments = SafeName.SanitizePath(torrent.Files[i].Path)
                ?? throw new InvalidOperationException($"The torrent names a file '{torrent.Files[i].DisplayPath}' that would leave its folder.");
            paths[i] = SafeName.ResolvePathInside(contentPath, segments);
        }
        return paths;
    }

    /// <summary>A complete copy to serve: every file must be there at its length (checked now, opened read-only when first read).</summary>
    public static ContentFiles OpenToSeed(TorrentMetainfo torrent, string contentPath)
    {
        var content = new ContentFiles(torrent.Layout, PathsOf(torrent, contentPath), writable: false);
        for (var i = 0; i < content._paths.Length; i++)
        {
            var info = new FileInfo(content._paths[i]);
            if (!info.Exists || info.Length != torrent.Files[i].Length)
                throw new InvalidOperationException($"{content._paths[i]} is not {torrent.Files[i].Length} bytes long as the torrent says.");
        }
        if (content._paths.Length == 1) content._single = content.Handle(0);
        return content;
    }

    /// <summary>
    /// The files of a download, opened read-write at their full lengths: the wanted ones (all when
    /// <paramref name="wanted"/> is null) now, empty ones included; with <paramref name="truncate"/> their old
    /// contents are dropped and new files are preallocated. Others are created when first written.
    /// </summary>
    public static ContentFiles OpenToDownload(TorrentMetainfo torrent, string contentPath, bool truncate, IReadOnlyList<bool>? wanted = null)
    {
        var content = new ContentFiles(torrent.Layout, PathsOf(torrent, contentPath), writable: true);
        try
        {
            for (var i = 0; i < content._paths.Length; i++)
                if (wanted is null || wanted[i]) content._handles[i] = Create(content._paths[i], torrent.Files[i].Length, truncate, preallocate: true);
            if (content._paths.Length == 1) content._single = content.Handle(0);
        }
        catch
        {
            content.Dispose();
            throw;
        }
        return content;
    }

    /// <summary>One file already open, taken over (and closed with this) as the whole content of a single-file torrent.</summary>
    public static ContentFiles Over(SafeFileHandle file, string path)
    {
        var length = RandomAccess.GetLength(file);
        var content = new ContentFiles(new FileLayout(new PieceGeometry(length, TorrentMetainfo.MinPieceLength), [length]), [path], writable: true);
        content._handles[0] = file;
        content._single = file;
        return content;
    }

    /// <summary>Deletes what a download wrote: the file, or the torrent's folder.</summary>
    public static void Delete(TorrentMetainfo torrent, string contentPath)
    {
        if (!torrent.IsMultiFile) File.Delete(contentPath);
        else if (Directory.Exists(contentPath)) Directory.Delete(contentPath, recursive: true);
    }

    /// <summary>Opens the file now if it is not open yet (a file newly wanted in a running download).</summary>
    public void Touch(int file) => Handle(file);

    /// <summary>Writes <paramref name="buffers"/> one after the other at torrent offset <paramref name="offset"/>.</summary>
    public void Write(IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset)
    {
        if (_single is { } single)
        {
            RandomAccess.Write(single, buffers, offset);
            return;
        }
        long total = 0;
        for (var i = 0; i < buffers.Count; i++) total += buffers[i].Length;
        if (total == 0) return;
        var (first, last) = _layout.FilesOf(offset, total);
        if (first == last)
        {
            RandomAccess.Write(Handle(first), buffers, offset - _layout.FileOffset(first));
            return;
        }
        for (var i = 0; i < buffers.Count; i++)
        {
            var buffer = buffers[i].Span;
            while (!buffer.IsEmpty)
            {
                var file = _layout.FileAt(offset);
                var inFile = offset - _layout.FileOffset(file);
                var take = (int)Math.Min(buffer.Length, _layout.FileLength(file) - inFile);
                RandomAccess.Write(Handle(file), buffer[..take], inFile);
                buffer = buffer[take..];
                offset += take;
            }
        }
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes at torrent offset <paramref name="offset"/>; a file that ends sooner throws.</summary>
    public void ReadExactly(Span<byte> destination, long offset)
    {
        if (_single is { } single)
        {
            TorrentMetainfo.ReadExactly(single, destination, offset);
            return;
        }
        while (!destination.IsEmpty)
        {
            var file = _layout.FileAt(offset);
            var inFile = offset - _layout.FileOffset(file);
            var take = (int)Math.Min(destination.Length, _layout.FileLength(file) - inFile);
            TorrentMetainfo.ReadExactly(Handle(file), destination[..take], inFile);
            destination = destination[take..];
            offset += take;
        }
    }

    /// <summary>Scatter read into <paramref name="segments"/> from torrent offset <paramref name="offset"/>; returns the bytes read (short only at a file's end).</summary>
    public long Read(IReadOnlyList<Memory<byte>> segments, long offset)
    {
        if (_single is { } single) return RandomAccess.Read(single, segments, offset);
        long total = 0;
        for (var i = 0; i < segments.Count; i++) total += segments[i].Length;
        if (total == 0) return 0;
        var (first, last) = _layout.FilesOf(offset, total);
        if (first == last) return RandomAccess.Read(Handle(first), segments, offset - _layout.FileOffset(first));
        for (var i = 0; i < segments.Count; i++)
        {
            ReadExactly(segments[i].Span, offset);
            offset += segments[i].Length;
        }
        return total;
    }

    private SafeFileHandle Handle(int file)
    {
        if (_handles[file] is { } open) return open;
        lock (_opening)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _handles[file] ??= _writable
                ? Create(_paths[file], _layout.FileLength(file), truncate: false, preallocate: false)
                : File.OpenHandle(_paths[file], FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
    }

    /// <summary>
    /// Opens (or creates) a file at its full length; a new or truncated one is preallocated when
    /// <paramref name="preallocate"/> (the OS reserves its blocks at once), else left sparse (an unwanted file).
    /// </summary>
    private static SafeFileHandle Create(string path, long length, bool truncate, bool preallocate)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var file = truncate || !File.Exists(path)
            ? File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, FileOptions.None, preallocationSize: preallocate ? length : 0)
            : File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        if (RandomAccess.GetLength(file) != length) RandomAccess.SetLength(file, length);
        return file;
    }

    public void Dispose()
    {
        lock (_opening)
        {
            _disposed = true;
            for (var i = 0; i < _handles.Length; i++)
            {
                _handles[i]?.Dispose();
                _handles[i] = null;
            }
            _single = null;
        }
    }
}
