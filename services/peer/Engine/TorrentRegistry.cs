using System.Net;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Engine;

/// <summary>
/// The torrents of an engine, on its thread: a swarm for each (what the wire serves) and, for
/// those being fetched, its download controller. Seeding, starting, restoring and removing.
/// </summary>
internal sealed class TorrentRegistry(DownloadContext context, ILogger logger, UncleanStopCheck? stopCheck = null)
{
    private readonly Dictionary<Id160, Swarm> _swarms = [];
    private readonly Dictionary<Id160, DownloadController> _downloads = [];

    public IEnumerable<Swarm> Swarms => _swarms.Values;
    public IEnumerable<DownloadController> Downloads => _downloads.Values;

    /// <summary>The downloads waiting for a slot, and the limit of active ones.</summary>
    public DownloadQueue Queue => context.Queue;

    /// <summary>The download limit over all downloads.</summary>
    public RateLimiter DownloadLimiter => context.DownloadLimiter;

    public bool TryGetSwarm(Id160 infoHash, out Swarm swarm) => _swarms.TryGetValue(infoHash, out swarm!);

    public DownloadController? DownloadOf(Swarm? swarm) => swarm is null ? null : _downloads.GetValueOrDefault(swarm.InfoHash);

    public Swarm Swarm(Id160 infoHash) =>
        _swarms.TryGetValue(infoHash, out var swarm) ? swarm : throw new KeyNotFoundException($"No torrent {infoHash} in this engine.");

    public DownloadController Download(Id160 infoHash) =>
        _downloads.TryGetValue(infoHash, out var download) ? download
        : _swarms.ContainsKey(infoHash) ? throw new KeyNotFoundException($"No download {infoHash} in this engine (it is only seeded).")
        : throw new KeyNotFoundException($"No torrent {infoHash} in this engine.");

    /// <summary>Serves a complete file (or folder) we hold. Idempotent for the same torrent.</summary>
    public bool Seed(TorrentMetainfo torrent, string contentPath)
    {
        if (_swarms.TryGetValue(torrent.InfoHash, out var existing))
        {
            if (existing.IsServing && existing.Have.IsComplete) return true;
            throw new InvalidOperationException($"{torrent.Name} is being downloaded; it is served as its pieces arrive.");
        }
        var content = ContentFiles.OpenToSeed(torrent, contentPath);
        var have = new Bitfield(torrent.PieceCount);
        have.SetAll();
        _swarms.Add(torrent.InfoHash, new Swarm(torrent, contentPath, have) { Content = content });
        EngineLog.Seeding(logger, torrent.Name, torrent.InfoHash.Short);
        return true;
    }

    /// <summary>
    /// A new download (resuming from its saved state if the file is still there), or, for one that
    /// exists, the peers added (and a retry if it had failed or was cancelled).
    /// </summary>
    public DownloadSnapshot StartDownload(TorrentMetainfo torrent, string targetPath, IReadOnlyList<IPEndPoint> peers, bool[]? wantedFiles = null)
    {
        if (_swarms.ContainsKey(torrent.InfoHash))
        {
            if (!_downloads.TryGetValue(torrent.InfoHash, out var current)) throw new InvalidOperationException($"{torrent.Name} is already held and seeded here.");
            var snapshot = current.AddPeers(peers);
            return current.State is DownloadState.Failed or DownloadState.Cancelled ? current.Retry() : snapshot;
        }
        var record = context.Store?.TryLoad(torrent.InfoHash);
        var verified = TargetFile.Resumable(record, torrent, targetPath) ?? new Bitfield(torrent.PieceCount);
        wantedFiles = wantedFiles is { } chosen && chosen.Length == torrent.Files.Count ? chosen : TargetFile.WantedFilesOf(record, torrent);
        var content = ContentFiles.OpenToDownload(torrent, targetPath, truncate: verified.IsEmpty, wantedFiles);
        if (record is not null && stopCheck?.Recheck(record, torrent, content, verified) is > 0 and var cleared)
            EngineLog.PiecesRechecked(logger, torrent.Name, cleared);
        var have = Bitfield.TryRead(verified.Bytes, verified.Count, out var copy) ? copy : new Bitfield(torrent.PieceCount);
        var swarm = new Swarm(torrent, targetPath, have) { Content = content };
        var wanted = wantedFiles is null ? null : WantedPieces.Of(torrent.Layout, wantedFiles);
        var download = new DownloadController(context, swarm, verified, record?.StartedAt ?? DateTimeOffset.UtcNow, wanted);
        if (record is not null) download.ApplyLimits(record.DownloadLimit, record.UploadLimit);
        _swarms.Add(torrent.InfoHash, swarm);
        _downloads.Add(torrent.InfoHash, download);
        var started = download.Start(peers, record?.QueuePosition);
        if (peers.Count > 0 || !download.IsActive) return started;
        // Nobody to ask yet (the seeder is not online): accepted as waiting; the swarm poll brings peers.
        download.Tick(Environment.TickCount64);
        return download.Publish();
    }

    /// <summary>Stops serving and downloading a torrent and forgets it (and its state file); files are left on disk.</summary>
    public bool Remove(Id160 infoHash)
    {
        var swarm = Swarm(infoHash);
        if (_downloads.Remove(infoHash, out var download)) download.Remove();
        foreach (var c in swarm.Connections) c.Close("torrent removed");
        swarm.Content?.Dispose();
        swarm.Content = null;
        _swarms.Remove(infoHash);
        return true;
    }

    /// <summary>Rebuilds every download saved in the state folder (after a restart); returns them.</summary>
    public IReadOnlyList<DownloadSnapshot> Restore()
    {
        if (context.Store is not { } store) return [];
        var restored = new List<DownloadSnapshot>();
        // Stopped ones first (they take no slot), then those that were running (they take the slots), then the queued in their order.
        var records = store.LoadAll()
            .OrderBy(r => r.State switch { DownloadState.Downloading or DownloadState.WaitingForPeers => 1, DownloadState.Queued => 2, _ => 0 })
            .ThenBy(r => r.QueuePosition ?? 0)
            .ThenBy(r => r.StartedAt)
            .ToList();
        foreach (var record in records)
        {
            if (_swarms.ContainsKey(record.InfoHash) || record.State == DownloadState.Cancelled) continue;
            TorrentMetainfo torrent;
            try
            {
                torrent = TorrentMetainfo.Parse(record.Torrent);
            }
            catch (InvalidTorrentException)
            {
                continue;
            }
            var snapshot = StartDownload(torrent, record.TargetPath, []);
            var download = _downloads[torrent.InfoHash];
            if (record.State == DownloadState.Paused && (download.IsActive || download.State == DownloadState.Queued)) snapshot = download.Pause();
            else if (record.State == DownloadState.Failed && (download.IsActive || download.State == DownloadState.Queued))
            {
                download.Fail(record.Error ?? "failed before the restart");
                snapshot = download.Publish();
            }
            restored.Add(snapshot);
        }
        return restored;
    }

    /// <summary>At shutdown, after the connections are gone: every download's state saved (and on disk), every file closed.</summary>
    public void Close()
    {
        foreach (var download in _downloads.Values) download.SaveNow();
        context.Store?.Dispose();
        foreach (var swarm in _swarms.Values)
        {
            swarm.Content?.Dispose();
            swarm.Content = null;
        }
        stopCheck?.MarkClean();
    }
}
