using System.Net;
using System.Text;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Downloads added by magnet link. The torrent comes from the tracker's DHT when it was published there (then it
/// is an ordinary download at once); otherwise the download is accepted in state <see cref="DownloadState.Metadata"/>
/// and, in the background, this announces to the magnet's HTTP trackers (<c>tr=</c>) and ours, asks the peers they
/// return for the info dictionary (<see cref="TransferEngine.FetchMetadataAsync"/>, BEP 9, checked against the
/// info-hash), and on success starts the download exactly as a <c>.torrent</c> upload would
/// (<see cref="DownloadManager.StartAsync"/>). Until then it tries again, less often each time. The link is kept
/// in <c>state/magnets/{infoHash}.magnet</c> (written atomically), so a restarted peer resumes the fetch.
/// </summary>
public sealed partial class MagnetResolver(
    PeerStorage storage,
    PeerRuntime runtime,
    TransferEngine engine,
    DownloadManager downloads,
    SwarmAnnouncer announcer,
    MagnetLinks links,
    IHostApplicationLifetime lifetime,
    ILogger<MagnetResolver> logger)
{
    /// <summary>The first pause between two rounds of asking (doubled each round up to <see cref="MaxRetryDelay"/>).</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Trackers of a magnet link announced to, besides ours.</summary>
    public const int MaxForeignTrackers = 5;

    /// <summary>
    /// The <c>left</c> we announce before the size is known: not zero, so trackers count us as a leecher
    /// (and give us seeders).
    /// </summary>
    private const long UnknownLeft = 16 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<Id160, Resolution> _resolutions = [];

    private string Folder => Path.Combine(storage.StateFolder, "magnets");

    private string PathOf(Id160 infoHash) => Path.Combine(Folder, $"{infoHash}.magnet");

    /// <summary>
    /// Starts a download from a magnet link: as by info-hash when the DHT has its torrent, otherwise in state
    /// <see cref="DownloadState.Metadata"/> while its metadata is fetched from peers.
    /// </summary>
    public async Task<DownloadSnapshot> StartAsync(MagnetLink link, CancellationToken cancellationToken)
    {
        if (!engine.IsStarted) throw new TransferEngineNotStartedException();
        if (Current(link.InfoHash) is { Running: true } running)
            throw new DownloadRefusedException(HttpStatusCode.Conflict, "Download already in progress", $"{running.Snapshot.Name} is already being downloaded: its metadata is asked from peers.");
        try
        {
            return await downloads.StartAsync(link.InfoHash, null, cancellationToken);
        }
        catch (DownloadRefusedException e) when (e.Status == HttpStatusCode.NotFound)
        {
            // Not published in the DHT: the peers in the swarm give the metadata.
        }
        return Begin(link, DateTimeOffset.UtcNow, save: true);
    }

    /// <summary>Whether the download of <paramref name="infoHash"/> is one of ours still without its torrent (fetching, failed or cancelled).</summary>
    public bool Handles(Id160 infoHash) => Current(infoHash) is not null;

    /// <summary>
    /// A command on a download without its torrent: cancel stops the fetch (and forgets the link); retry starts a
    /// failed or cancelled one again; other commands need the torrent and are refused.
    /// </summary>
    public DownloadSnapshot Steer(Id160 infoHash, string verb)
    {
        var resolution = Current(infoHash) ?? throw new DownloadRefusedException(HttpStatusCode.NotFound, "No such download", "There is no download of that file here.");
        switch (verb)
        {
            case "cancel":
                if (!resolution.Running) return resolution.Snapshot;
                Stop(resolution, DownloadState.Cancelled, null);
                return resolution.Snapshot;
            case "retry":
                return resolution.Running ? resolution.Snapshot : Begin(resolution.Link, resolution.Snapshot.StartedAt, save: true);
            default:
                throw new DownloadRefusedException(HttpStatusCode.Conflict, "Not possible now",
                    $"{resolution.Snapshot.Name} has no torrent yet ({Describe(resolution)}); it can be cancelled{(resolution.Running ? "" : " or retried")}.");
        }
    }

    /// <summary>After a restart: every kept magnet link whose download has not started goes on fetching its metadata.</summary>
    public Task RestoreAsync()
    {
        if (!Directory.Exists(Folder)) return Task.CompletedTask;
        foreach (var path in Directory.EnumerateFiles(Folder, "*.magnet"))
        {
            string text;
            try
            {
                text = File.ReadAllText(path, Encoding.UTF8);
            }
            catch (IOException e)
            {
                LogUnreadable(logger, path, e.Message);
                continue;
            }
            if (!MagnetLink.TryParse(text, out var link, out var error))
            {
                LogUnreadable(logger, path, error);
                continue;
            }
            if (storage.Find(link.InfoHash) is not null || engine.GetDownload(link.InfoHash) is not null)
            {
                AtomicFile.Delete(path); // its download started before the stop
                continue;
            }
            Begin(link, new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero), save: false);
        }
        return Task.CompletedTask;
    }

    /// <summary>Shows the download in state Metadata, keeps the link and starts the background fetch.</summary>
    private DownloadSnapshot Begin(MagnetLink link, DateTimeOffset startedAt, bool save)
    {
        var snapshot = Pending(link, DownloadState.Metadata, null, startedAt);
        Resolution resolution;
        lock (_gate)
        {
            var previous = _resolutions.GetValueOrDefault(link.InfoHash);
            if (previous is { Running: true })
                throw new DownloadRefusedException(HttpStatusCode.Conflict, "Download already in progress", $"{previous.Snapshot.Name} is already being downloaded: its metadata is asked from peers.");
            // A cancelled or failed download of the same file (ours, or the engine's) makes way for this one.
            var shown = engine.GetDownload(link.InfoHash);
            if (shown is not null && shown.State is not (DownloadState.Cancelled or DownloadState.Failed))
                throw new DownloadRefusedException(HttpStatusCode.Conflict, "Download already in progress", $"{shown.Name} is already being downloaded.");
            if (!engine.TryShowPendingDownload(snapshot, shown))
                throw new DownloadRefusedException(HttpStatusCode.Conflict, "Download already in progress", $"{snapshot.Name} has just started downloading.");
            if (save)
            {
                Directory.CreateDirectory(Folder);
                AtomicFile.WriteAllBytes(PathOf(link.InfoHash), Encoding.UTF8.GetBytes(link.ToString()));
            }
            resolution = new Resolution(link, CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping)) { Snapshot = snapshot };
            _resolutions[link.InfoHash] = resolution;
        }
        LogFetching(logger, snapshot.Name, link.InfoHash.Short);
        _ = Task.Run(() => RunAsync(resolution));
        return snapshot;
    }

    private async Task RunAsync(Resolution resolution)
    {
        var token = resolution.Stop.Token;
        var infoHash = resolution.Link.InfoHash;
        var delay = FirstRetryDelay;
        var @event = "started";
        try
        {
            while (!token.IsCancellationRequested)
            {
                // A .torrent or an info-hash added meanwhile started the download: nothing left to fetch.
                if (!ReferenceEquals(engine.GetDownload(infoHash), resolution.Snapshot))
                {
                    Forget(resolution);
                    return;
                }
                try
                {
                    var peers = await FindPeersAsync(resolution.Link, @event, token);
                    @event = null;
                    if (peers.Count > 0 && await engine.FetchMetadataAsync(infoHash, peers, token) is { } info)
                    {
                        await FinishAsync(resolution, info, token);
                        return;
                    }
                    LogNoMetadataYet(logger, resolution.Snapshot.Name, peers.Count, delay);
                }
                catch (TrackerUnavailableException e)
                {
                    // Starting the download announces to our tracker too: asked again next round.
                    LogAnnounceFailed(logger, links.AnnounceUrl, e.Message);
                }
                await Task.Delay(delay, token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // cancelled by the user, or the peer is stopping (the link is kept: it resumes at the next start)
        }
        catch (Exception e) when (e is ObjectDisposedException or TransferEngineNotStartedException)
        {
            LogStopped(logger, resolution.Snapshot.Name, e.Message); // the engine went away with the host
        }
    }

    /// <summary>Peers from our tracker and the magnet's own HTTP trackers; one that does not answer is skipped.</summary>
    private async Task<IReadOnlyList<IPEndPoint>> FindPeersAsync(MagnetLink link, string? @event, CancellationToken cancellationToken)
    {
        var peers = new HashSet<IPEndPoint>();
        try
        {
            var ours = await announcer.AnnounceAsync(link.InfoHash, engine.PeerId, runtime.TransferPort, UnknownLeft, @event, cancellationToken);
            peers.UnionWith(ours.Peers);
        }
        catch (Exception e) when (e is TrackerUnavailableException or HttpRequestException or InvalidDataException or BencodeException
                                  || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogAnnounceFailed(logger, links.AnnounceUrl, e.Message);
        }
        foreach (var tracker in link.Trackers.Where(t => t != links.AnnounceUrl).Take(MaxForeignTrackers))
        {
            if (!Uri.TryCreate(tracker, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")) continue; // UDP trackers (BEP 15) are not spoken here
            try
            {
                var reply = await announcer.AnnounceToAsync(url, link.InfoHash, engine.PeerId, runtime.TransferPort, UnknownLeft, @event, cancellationToken);
                peers.UnionWith(reply.Peers);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidDataException or BencodeException
                                      || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                LogAnnounceFailed(logger, tracker, e.Message);
            }
        }
        return [.. peers.Where(p => !runtime.IsSelf(p))];
    }

    /// <summary>The metadata is in and checked: the download starts as one added by its .torrent would.</summary>
    private async Task FinishAsync(Resolution resolution, byte[] info, CancellationToken cancellationToken)
    {
        var link = resolution.Link;
        var announce = link.Trackers.FirstOrDefault(t => t.StartsWith("http", StringComparison.OrdinalIgnoreCase)) ?? links.AnnounceUrl;
        if (!TorrentMetainfo.TryFromInfoDictionary(info, announce, out var torrent, out var error))
        {
            Stop(resolution, DownloadState.Failed, $"The metadata the peers gave is not a torrent this peer can download: {error}.");
            return;
        }
        try
        {
            await downloads.StartAsync(link.InfoHash, torrent.ToBytes(), cancellationToken);
            Forget(resolution);
            LogResolved(logger, torrent.Name, link.InfoHash.Short);
        }
        catch (DownloadRefusedException e) when (e.Status == HttpStatusCode.Conflict)
        {
            Forget(resolution); // the file is here already, or its download started some other way
        }
        catch (DownloadRefusedException e)
        {
            Stop(resolution, DownloadState.Failed, e.Message);
        }
    }

    /// <summary>Ends a fetch that did not lead to a download: shown as cancelled or failed, its link no longer kept.</summary>
    private void Stop(Resolution resolution, DownloadState state, string? error)
    {
        lock (_gate)
        {
            resolution.Stop.Cancel();
            var stopped = Pending(resolution.Link, state, error, resolution.Snapshot.StartedAt);
            if (engine.TryShowPendingDownload(stopped, resolution.Snapshot)) resolution.Snapshot = stopped;
            resolution.Running = false;
            DeleteLink(resolution.Link.InfoHash);
        }
        if (error is not null) LogFailed(logger, resolution.Snapshot.Name, error);
    }

    /// <summary>The download has its torrent now (or is here already): the pending entry and the kept link go.</summary>
    private void Forget(Resolution resolution)
    {
        lock (_gate)
        {
            resolution.Running = false;
            if (_resolutions.GetValueOrDefault(resolution.Link.InfoHash) == resolution) _resolutions.Remove(resolution.Link.InfoHash);
            engine.ForgetPendingDownload(resolution.Snapshot);
            DeleteLink(resolution.Link.InfoHash);
        }
        resolution.Stop.Dispose();
    }

    private void DeleteLink(Id160 infoHash)
    {
        try
        {
            if (File.Exists(PathOf(infoHash))) AtomicFile.Delete(PathOf(infoHash));
        }
        catch (IOException e)
        {
            LogUnreadable(logger, PathOf(infoHash), e.Message);
        }
    }

    /// <summary>Our entry for the info-hash, if what the engine shows for it is still our snapshot.</summary>
    private Resolution? Current(Id160 infoHash)
    {
        lock (_gate)
            return _resolutions.TryGetValue(infoHash, out var resolution) && ReferenceEquals(engine.GetDownload(infoHash), resolution.Snapshot) ? resolution : null;
    }

    private static string Describe(Resolution resolution) => resolution.Snapshot.State switch
    {
        DownloadState.Metadata => "its metadata is asked from peers",
        DownloadState.Failed => "fetching its metadata failed",
        _ => "it was cancelled before its metadata came",
    };

    private static DownloadSnapshot Pending(MagnetLink link, DownloadState state, string? error, DateTimeOffset startedAt) =>
        new(link.InfoHash, string.IsNullOrWhiteSpace(link.Name) ? link.InfoHash.ToString() : link.Name, "", state,
            0, 0, 0, 0, 0, 0, error, 0, 0, startedAt, null);

    private sealed class Resolution(MagnetLink link, CancellationTokenSource stop)
    {
        public MagnetLink Link { get; } = link;
        public CancellationTokenSource Stop { get; } = stop;
        public required DownloadSnapshot Snapshot { get; set; }
        public bool Running { get; set; } = true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name} ({InfoHash}): fetching its metadata from peers (magnet link)")]
    private static partial void LogFetching(ILogger logger, string name, string infoHash);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name} ({InfoHash}): metadata received and checked; downloading")]
    private static partial void LogResolved(ILogger logger, string name, string infoHash);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: no metadata from {Peers} peers yet; asking again in {Delay}")]
    private static partial void LogNoMetadataYet(ILogger logger, string name, int peers, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: fetching its metadata failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Announce to {Tracker} for a magnet link failed: {Reason}")]
    private static partial void LogAnnounceFailed(ILogger logger, string tracker, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kept magnet link {Path} not read: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Name}: metadata fetch stopped: {Reason}")]
    private static partial void LogStopped(ILogger logger, string name, string reason);
}
