namespace BitTorrent.Peer.Downloads;

/// <summary>Free space before a download starts, and a full disk told apart from other write errors, in a sentence a user reads.</summary>
public static class DiskSpace
{
    /// <summary>How a download's error starts when its disk filled up.</summary>
    public const string FullPrefix = "the disk is full: ";

    /// <summary>Bytes free to this user on the file system that holds <paramref name="folder"/>.</summary>
    public static long FreeBytes(string folder) => new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;

    /// <summary>ENOSPC or EDQUOT on Unix (the errno is the HResult), ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows.</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException && (e.HResult & 0xFFFF) is 28 or 122 or 112 or 39;

    /// <summary>The reason a write failed: "the disk is full: …" for a full disk, the system's message otherwise.</summary>
    public static string Describe(Exception e) => IsDiskFull(e) ? FullPrefix + e.Message : e.Message;

    /// <summary>A size as people read it (KiB, MiB, GiB).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes} bytes",
    };
}
