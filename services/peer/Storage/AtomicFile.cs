using System.Runtime.InteropServices;

namespace BitTorrent.Peer.Storage;

/// <summary>
/// Writes state files so that a crash or a power cut leaves either the old file or the new one,
/// never a torn one: the content goes to a temporary file beside the target (mode 0600 on Unix),
/// is flushed to the disk, renamed over the target, and the folder is flushed so the rename itself
/// survives a power cut. A failed write (a full disk) deletes the temporary file and leaves the
/// old file as it was.
/// </summary>
public static partial class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var bytes = content.ToArray();
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes through <paramref name="write"/> into a temporary file, then puts it in place as described above.</summary>
    public static void Write(string path, Action<Stream> write, string temporarySuffix = ".tmp")
    {
        var temporary = path + temporarySuffix;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 16 * 1024 };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, options))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        FlushFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Deletes a file and flushes its folder, so the deletion survives a power cut.</summary>
    public static void Delete(string path)
    {
        File.Delete(path);
        FlushFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Flushes a folder's entries (created, renamed, deleted files) to the disk; a no-op where folders cannot be opened (Windows).</summary>
    public static void FlushFolder(string folder)
    {
        if (OperatingSystem.IsWindows()) return;
        var descriptor = Native.Open(folder, Native.ReadOnlyDirectory);
        if (descriptor < 0) throw new IOException($"Could not open {folder} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Native.FileSync(descriptor) != 0) throw new IOException($"Could not flush {folder} (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Native.Close(descriptor);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The temporary file could not be removed either (the disk is gone); the next write replaces it.
        }
    }

    private static class Native
    {
        public const int ReadOnlyDirectory = 0; // O_RDONLY: opens a folder on Linux and macOS alike

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static extern int FileSync(int descriptor);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        public static extern int Close(int descriptor);
    }
}
