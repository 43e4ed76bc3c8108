using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Rebuilds the library when library.json did not read (it is kept aside by
/// <see cref="PeerStorage"/> as library.json.corrupt-{time}): every folder files/{infoHash}/ that
/// holds one entry (the file, or the folder of a multi-file torrent) and is not a download in progress is taken back, once its torrent is found
/// (the kept copy, or the tracker's for a torn one) and every file's length and every piece hash
/// match it. Files that do not match are left on disk and not served. Runs at start, after the
/// saved downloads are restored and before the library is seeded.
/// </summary>
public sealed partial class LibraryRecovery(PeerStorage storage, TransferEngine engine, TorrentRefetch torrents, ILogger<LibraryRecovery> logger)
{
    /// <summary>Rebuilds the library if it was damaged; returns how many files were taken back.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (storage.DamagedLibraryKeptAs is not { } keptAs) return 0;
        LogDamaged(logger, keptAs);
        var recovered = 0;
        foreach (var folder in Directory.EnumerateDirectories(storage.FilesFolder))
        {
            if (!Id160.TryParse(Path.GetFileName(folder), out var infoHash)) continue;
            var download = engine.GetDownload(infoHash);
            if (download is { State: not DownloadState.Completed }) continue; // still being fetched: not whole yet
            var entries = Directory.GetFileSystemEntries(folder);
            if (entries.Length != 1) continue;
            var path = entries[0];
            try
            {
                var torrent = await torrents.LoadAsync(infoHash, cancellationToken);
                if (torrent is null) continue;
                if (!await Task.Run(() => PieceCheck.ContentIsIntact(path, torrent, cancellationToken), cancellationToken))
                {
                    LogMismatch(logger, path);
                    continue;
                }
                var origin = download is null ? LibraryOrigin.Published : LibraryOrigin.Downloaded;
                storage.Add(new LibraryItem(infoHash, Path.GetFileName(path), torrent.Length, origin, Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path) : File.GetLastWriteTimeUtc(path)));
                recovered++;
            }
            catch (Exception e) when (e is TrackerUnavailableException or IOException or UnauthorizedAccessException)
            {
                LogSkipped(logger, path, e.Message);
            }
        }
        LogRebuilt(logger, recovered);
        return recovered;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The library file did not read; kept it as {KeptAs} and rebuilding the library from the files held")]
    private static partial void LogDamaged(ILogger logger, string keptAs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} does not match its torrent; it is not served")]
    private static partial void LogMismatch(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not take {Path} back into the library: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Library rebuilt: {Count} files verified and served again")]
    private static partial void LogRebuilt(ILogger logger, int count);
}
