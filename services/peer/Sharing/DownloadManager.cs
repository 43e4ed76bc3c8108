using System.Net;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Starting and steering downloads, with the answers a user reads: already in progress, already
/// exists, an invalid or unsafe torrent. A torrent nobody seeds right now is accepted and waits. The engine does the transfer; this decides whether to start, finds
/// the torrent and the first peers, and picks a safe place for the file.
/// </summary>
public sealed class DownloadManager(PeerStorage storage, PeerRuntime runtime, TransferEngine engine, TrackerConnection tracker, SwarmAnnouncer announcer)
{
    /// <summary>Starts a download; <paramref name="files"/> (paths as the file's details list them) chooses some of its files, null all.</summary>
    public async Task<DownloadSnapshot> StartAsync(Id160 infoHash, byte[]? torrentBytes, CancellationToken cancellationToken, IReadOnlyList<string>? files = null)
    {
        if (!engine.IsStarted) throw new TransferEngineNotStartedException();
        if (storage.Find(infoHash) is { } have)
            throw new DownloadRefusedException(HttpStatusCode.Conflict, "File already exists", $"You already have {have.Name}: it is in your files.");
        // A download that has just finished is the file already, even before it joins the library.
        if (engine.GetDownload(infoHash) is { State: DownloadState.Completed, Partial: true } chosen)
            throw new DownloadRefusedException(HttpStatusCode.Conflict, "Download already here", $"The files chosen of {chosen.Name} are here: choose more of its files to fetch them.");
        if (engine.GetDownload(infoHash) is { State: DownloadState.Completed } done)
            throw new DownloadRefusedException(HttpStatusCode.Conflict, "File already exists", $"You already have {Path.GetFileName(done.TargetPath)}: it is in your files.");
        if (engine.GetDownload(infoHash) is { State: DownloadState.Downloading or DownloadState.WaitingForPeers or DownloadState.Paused or DownloadState.Queued } running)
            throw new DownloadRefusedException(HttpStatusCode.Conflict, "Download already in progress", $"{running.Name} is already being downloaded.");

        torrentBytes ??= await FetchTorrentAsync(infoHash, cancellationToken);
        TorrentMetainfo torrent;
        try
        {
            torrent = TorrentMetainfo.Parse(torrentBytes);
        }
        catch (InvalidTorrentException e)
        {
            throw new DownloadRefusedException(HttpStatusCode.BadRequest, "Invalid torrent", e.Message);
        }
        if (torrent.InfoHash != infoHash)
            throw new DownloadRefusedException(HttpStatusCode.BadRequest, "Invalid torrent", "The torrent does not describe the requested file.");
        // A name that tries to climb out of Storage is refused outright; other awkward characters are replaced.
        var climbs = torrent.Name.Contains('/') || torrent.Name.Contains('\\') || torrent.Name is "." or "..";
        var name = (climbs ? null : SafeName.Sanitize(torrent.Name))
            ?? throw new DownloadRefusedException(HttpStatusCode.BadRequest, "Unsafe file name", $"The torrent names its file '{torrent.Name}', which would lead outside this peer's Storage folder.");
        foreach (var file in torrent.IsMultiFile ? torrent.Files : [])
        {
            if (SafeName.SanitizePath(file.Path) is null)
                throw new DownloadRefusedException(HttpStatusCode.BadRequest, "Unsafe file name", $"The torrent names a file '{file.DisplayPath}', which would lead outside its folder.");
        }

        var wanted = files is null ? null : FileChoice.Resolve(torrent, files);
        var target = storage.ContentPath(infoHash, name);
        EnsureSpace(name, torrent.Length, target);

        var reply = await announcer.AnnounceAsync(infoHash, engine.PeerId, runtime.TransferPort, torrent.Length, "started", cancellationToken);
        // No peer online is no error: the download waits, and the swarm poll finds the seeder once it announces.
        var peers = reply.Peers.Where(p => !runtime.IsSelf(p)).ToList();

        storage.SaveTorrent(infoHash, torrent.Encoded);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            return await engine.StartDownloadAsync(torrent, target, peers, wanted);
        }
        catch (IOException e) when (DiskSpace.IsDiskFull(e))
        {
            // The file could not be preallocated: the space went while we asked the tracker.
            throw new DownloadRefusedException(HttpStatusCode.InsufficientStorage, "Not enough disk space", DiskSpace.FullPrefix + e.Message);
        }
    }

    /// <summary>
    /// Refuses a download (507) whose file cannot fit in the free space where this peer keeps its files; a partial
    /// file already there counts as space it has.
    /// </summary>
    private void EnsureSpace(string name, long length, string target)
    {
        var existing = File.Exists(target) ? new FileInfo(target).Length : 0;
        var needed = length - Math.Min(existing, length);
        var free = DiskSpace.FreeBytes(storage.FilesFolder);
        if (needed > free)
            throw new DownloadRefusedException(HttpStatusCode.InsufficientStorage, "Not enough disk space",
                $"{name} needs {DiskSpace.Format(needed)} but only {DiskSpace.Format(free)} are free where this peer keeps its files.");
    }

    public async Task<byte[]> FetchTorrentAsync(Id160 infoHash, CancellationToken cancellationToken)
    {
        // A kept copy that is torn or describes another file is not used: the tracker's replaces it.
        if (storage.LoadTorrent(infoHash) is { } local) return local.ToBytes();
        return await tracker.CallAsync(async (api, ct) =>
        {
            using var response = await api.GetTorrentAsync(infoHash.ToString(), ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw new DownloadRefusedException(HttpStatusCode.NotFound, "File not available", "No file with that info-hash is in the catalog.");
            if ((int)response.StatusCode >= 500) throw new HttpRequestException($"The tracker answered {(int)response.StatusCode}.");
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsByteArrayAsync(ct);
        }, cancellationToken);
    }

    public Task<DownloadSnapshot> PauseAsync(Id160 infoHash) => Steer(infoHash, e => e.PauseAsync(infoHash));
    public Task<DownloadSnapshot> ResumeAsync(Id160 infoHash) => Steer(infoHash, e => e.ResumeAsync(infoHash));
    public Task<DownloadSnapshot> CancelAsync(Id160 infoHash) => Steer(infoHash, e => e.CancelAsync(infoHash));
    public Task<DownloadSnapshot> RetryAsync(Id160 infoHash) => Steer(infoHash, e => e.RetryAsync(infoHash));

    /// <summary>The download of <paramref name="infoHash"/> here, or null.</summary>
    public DownloadSnapshot? Find(Id160 infoHash) => engine.IsStarted ? engine.GetDownload(infoHash) : null;

    /// <summary>Fetches only the flagged files (one flag per file of the torrent) from now on.</summary>
    public Task<DownloadSnapshot> SelectFilesAsync(Id160 infoHash, IReadOnlyList<bool> files) => Steer(infoHash, e => e.SelectFilesAsync(infoHash, files));

    /// <summary>Sets a download's own limits (bytes per second, 0 unlimited); a limit not given keeps its value.</summary>
    public Task<DownloadSnapshot> SetLimitsAsync(Id160 infoHash, long? downloadLimit, long? uploadLimit) => Steer(infoHash, e =>
    {
        var current = e.GetDownload(infoHash)!;
        return e.SetDownloadLimitsAsync(infoHash, downloadLimit ?? current.DownloadLimit, uploadLimit ?? current.UploadLimit);
    });

    /// <summary>Moves a queued download in the queue; 409 when it is not queued.</summary>
    public Task<DownloadSnapshot> MoveInQueueAsync(Id160 infoHash, QueueMove move) => Steer(infoHash, e => e.MoveInQueueAsync(infoHash, move));

    public Task<DownloadSnapshot> RecheckAsync(Id160 infoHash, CancellationToken cancellationToken) => Steer(infoHash, e => e.RecheckAsync(infoHash, cancellationToken));

    /// <summary>Asks the tracker for peers now (instead of at the next poll) and dials the new ones.</summary>
    public Task<DownloadSnapshot> ReannounceAsync(Id160 infoHash, CancellationToken cancellationToken) => Steer(infoHash, async e =>
    {
        var download = e.GetDownload(infoHash)!;
        var reply = await announcer.AnnounceAsync(infoHash, e.PeerId, runtime.TransferPort, download.TotalBytes - download.BytesDone, null, cancellationToken);
        await e.AddPeersAsync(infoHash, reply.Peers.Where(p => !runtime.IsSelf(p)));
        return e.GetDownload(infoHash) ?? download;
    });

    private async Task<DownloadSnapshot> Steer(Id160 infoHash, Func<TransferEngine, Task<DownloadSnapshot>> command)
    {
        if (!engine.IsStarted) throw new TransferEngineNotStartedException();
        if (engine.GetDownload(infoHash) is null)
            throw new DownloadRefusedException(HttpStatusCode.NotFound, "No such download", "There is no download of that file here.");
        try
        {
            return await command(engine);
        }
        catch (InvalidOperationException e)
        {
            throw new DownloadRefusedException(HttpStatusCode.Conflict, "Not possible now", e.Message);
        }
        catch (KeyNotFoundException)
        {
            throw new DownloadRefusedException(HttpStatusCode.NotFound, "No such download", "There is no download of that file here.");
        }
    }
}

/// <summary>A download request the peer declines, with the status and sentence the user sees.</summary>
public sealed class DownloadRefusedException(HttpStatusCode status, string title, string detail) : Exception(detail)
{
    public HttpStatusCode Status { get; } = status;
    public string Title { get; } = title;
}
