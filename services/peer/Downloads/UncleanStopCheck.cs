using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// Whether a download's verified pieces can be trusted after a restart. A clean stop writes a
/// marker file (clean-stop) in the state folder after every download's state is saved and flushed;
/// a start reads and deletes it. Each saved state records the length and modification time its
/// file had at that save. Pieces marked verified are hashed again before they are served when the
/// last stop was not clean (a crash, a kill, a power cut: the file may hold writes the state does
/// not know of, or lost some the state counted), or when the file's length or modification time
/// differs from the record (it changed while the peer was stopped). Pieces that fail are fetched
/// again. A clean stop with an untouched file skips the hashing.
/// </summary>
internal sealed class UncleanStopCheck
{
    public const string MarkerName = "clean-stop";
    private readonly string? _marker;

    private UncleanStopCheck(string? marker, bool lastStopWasClean)
    {
        _marker = marker;
        LastStopWasClean = lastStopWasClean;
    }

    /// <summary>True when the previous run ended with <see cref="MarkClean"/> (or there is no state folder to distrust).</summary>
    public bool LastStopWasClean { get; }

    /// <summary>At start: reads whether the last stop was clean and removes the marker (this run has not stopped cleanly yet).</summary>
    public static UncleanStopCheck Begin(string? stateFolder)
    {
        if (stateFolder is null) return new UncleanStopCheck(null, lastStopWasClean: true);
        Directory.CreateDirectory(stateFolder);
        var marker = Path.Combine(stateFolder, MarkerName);
        var clean = File.Exists(marker);
        if (clean) AtomicFile.Delete(marker);
        return new UncleanStopCheck(marker, clean);
    }

    /// <summary>At the end of a clean stop, after every state file is on disk.</summary>
    public void MarkClean()
    {
        if (_marker is not null) AtomicFile.WriteAllBytes(_marker, "every download's state was saved at this stop\n"u8);
    }

    /// <summary>
    /// The saved state's view of its content now, what <see cref="Recheck"/> compares with: a file's length and
    /// modification time; for a folder, the total length of the files in it and the latest modification time.
    /// </summary>
    public static (long Length, DateTimeOffset ModifiedAt)? Stamp(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists) return (info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
        var folder = new DirectoryInfo(path);
        if (!folder.Exists) return null;
        long length = 0;
        var latest = DateTime.MinValue;
        foreach (var file in folder.EnumerateFiles("*", SearchOption.AllDirectories))
        {
            length += file.Length;
            if (file.LastWriteTimeUtc > latest) latest = file.LastWriteTimeUtc;
        }
        return (length, new DateTimeOffset(latest, TimeSpan.Zero));
    }

    /// <summary>
    /// The pieces of <paramref name="verified"/> that can be served: all of them after a clean stop
    /// with the file as recorded; otherwise those whose hash still matches (the rest are cleared and
    /// fetched again). Returns how many were cleared.
    /// </summary>
    public int Recheck(DownloadRecord record, TorrentMetainfo torrent, ContentFiles content, Bitfield verified)
    {
        if (verified.IsEmpty) return 0;
        var stamp = Stamp(record.TargetPath);
        var unchanged = stamp is { } now && record.FileLength == now.Length && record.FileModifiedAt == now.ModifiedAt;
        if (LastStopWasClean && unchanged) return 0;
        var kept = new Bitfield(verified.Count);
        for (var i = 0; i < verified.Count; i++)
            if (verified[i] && PieceCheck.IsIntact(content, torrent, i)) kept.Set(i);
        var cleared = verified.SetCount - kept.SetCount;
        verified.Clear();
        for (var i = 0; i < kept.Count; i++)
            if (kept[i]) verified.Set(i);
        return cleared;
    }
}
