using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Keeps the tracker's view of this peer true: every file in the library is announced as seeded
/// (the tracker forgets entries not re-announced), and running downloads announce themselves and
/// take the peers the tracker returns; with each refresh, and while anything moves, the peer
/// reports its public status (<see cref="ReportStatusAsync"/>). (A finished download joins the library through
/// <see cref="DownloadCompletions"/>.)
/// </summary>
public sealed partial class SwarmSync(
    PeerStorage storage,
    PeerRuntime runtime,
    TransferEngine engine,
    SwarmAnnouncer announcer,
    TrackerConnection tracker,
    TimeProvider time,
    IOptions<PeerOptions> options,
    TorrentRefetch torrents,
    ILogger<SwarmSync> logger)
{
    private readonly HashSet<Id160> _published = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private readonly PeerStatusSampler _status = new(time);
    private bool _moving;
    private TimeSpan? _trackerInterval;

    /// <summary>
    /// How often the library is announced again (and the status reported): <c>Peer:RefreshInterval</c>, or sooner when our
    /// tracker asks for announces more often than that: three quarters of its interval, so that a seeder's announce is never
    /// overdue there (the tracker counts a seeder as a copy only until a little more than one interval after its last announce).
    /// </summary>
    public TimeSpan RefreshPeriod
    {
        get
        {
            lock (_gate) return Period(options.Value.RefreshInterval, _trackerInterval);
        }
    }

    internal static TimeSpan Period(TimeSpan configured, TimeSpan? trackerInterval) =>
        trackerInterval is { } interval && interval * 0.75 < configured ? interval * 0.75 : configured;

    /// <summary>
    /// Puts the torrent in the DHT once per run (idempotent at the tracker anyway). With <paramref name="copies"/> above 1
    /// it always goes to the tracker, asking for that many seeders (<see cref="CopiesRequest"/>).
    /// </summary>
    public async Task EnsurePublishedAsync(TorrentMetainfo torrent, CancellationToken cancellationToken, int copies = CopiesRequest.Min)
    {
        // One publish at a time: a periodic refresh that finds a file just added to the library must not race the upload's own
        // publish with copies. Both would find the torrent new at the tracker, and whichever wrote the catalog entry last would
        // decide its target, so the refresh's plain publish could drop the copies asked for. Serialized, the refresh finds it published.
        await _publishing.WaitAsync(cancellationToken);
        try
        {
            await PublishOnceAsync(torrent, copies, cancellationToken);
        }
        finally
        {
            _publishing.Release();
        }
    }

    private async Task PublishOnceAsync(TorrentMetainfo torrent, int copies, CancellationToken cancellationToken)
    {
        lock (_gate) if (copies <= CopiesRequest.Min && _published.Contains(torrent.InfoHash)) return;
        var bytes = torrent.ToBytes();
        // Published as this peer (its token), so the tracker records it as the publisher who may remove it.
        var token = storage.LoadIdentity()?.Token ?? throw new TransferEngineNotStartedException(); // no id and token yet: the peer is still starting
        var response = await tracker.CallAsOwnerAsync((api, ct) =>
        {
            var body = new ByteArrayContent(bytes);
            body.Headers.ContentType = new("application/x-bittorrent");
            return copies > CopiesRequest.Min ? api.PublishWithCopiesAsync(body, copies, token, ct) : api.PublishAsOwnerAsync(body, token, ct);
        }, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new PublishException($"The tracker refused the torrent: {response.Error?.Message ?? response.StatusCode.ToString()}");
        lock (_gate) _published.Add(torrent.InfoHash);
    }

    /// <summary>The file left the catalog (unpublished): publishing it again writes it to the tracker again.</summary>
    public void ForgetPublished(Id160 infoHash)
    {
        lock (_gate) _published.Remove(infoHash);
    }

    public async Task<AnnounceReply> AnnounceSeedingAsync(Id160 infoHash, string? @event, CancellationToken cancellationToken)
    {
        var reply = await announcer.AnnounceAsync(infoHash, engine.PeerId, runtime.TransferPort, left: 0, @event, cancellationToken);
        if (reply.Interval is { } interval) lock (_gate) _trackerInterval = interval;
        return reply;
    }

    /// <summary>Seeds and announces every library file (after a start, and periodically); a torn torrent copy is fetched again.</summary>
    public async Task RefreshLibraryAsync(bool seed, CancellationToken cancellationToken)
    {
        foreach (var item in storage.Library())
        {
            try
            {
                var contentPath = storage.ContentPath(item.InfoHash, item.Name);
                if (!(File.Exists(contentPath) || Directory.Exists(contentPath))) continue; // removed by hand
                if (await torrents.LoadAsync(item.InfoHash, cancellationToken) is not { } torrent) continue;
                if (seed) await engine.SeedAsync(torrent, contentPath);
                await EnsurePublishedAsync(torrent, cancellationToken);
                await AnnounceSeedingAsync(item.InfoHash, seed ? "started" : null, cancellationToken);
            }
            catch (Exception e) when (e is TrackerUnavailableException or PublishException or InvalidTorrentException or IOException)
            {
                LogRefreshFailed(logger, item.Name, e.Message);
            }
        }
        await ReportStatusAsync(cancellationToken);
    }

    /// <summary>
    /// Sends the tracker this peer's public status (active downloads, rates, files shared), with its token; the tracker
    /// keeps it for two refresh periods, for the gateway's fleet view. A refusal or an unreachable tracker is logged, not thrown.
    /// </summary>
    public async Task<PeerStatusReport?> ReportStatusAsync(CancellationToken cancellationToken)
    {
        var token = storage.LoadIdentity()?.Token;
        if (!engine.IsStarted || token is null) return null;
        var report = _status.Sample(engine.GetDownloads(), engine.BytesServed, storage.Library().Count, (int)Math.Ceiling(RefreshPeriod.TotalSeconds));
        _moving = report.ActiveDownloads > 0 || report.UploadBytesPerSecond > 0;
        try
        {
            var response = await tracker.CallAsOwnerAsync((api, ct) => api.ReportStatusAsync(runtime.PeerId, report, token, ct), cancellationToken);
            if (!response.IsSuccessStatusCode) LogStatusRefused(logger, response.StatusCode is { } code ? (int)code : 0);
        }
        catch (TrackerUnavailableException e)
        {
            LogStatusFailed(logger, e.Message);
        }
        return report;
    }

    /// <summary>Running downloads ask the tracker for more peers.</summary>
    public async Task PollDownloadsAsync(CancellationToken cancellationToken)
    {
        foreach (var download in engine.GetDownloads())
        {
            if (download.State is not (DownloadState.Downloading or DownloadState.WaitingForPeers)) continue;
            try
            {
                var reply = await announcer.AnnounceAsync(download.InfoHash, engine.PeerId, runtime.TransferPort,
                    download.TotalBytes - download.BytesDone, null, cancellationToken);
                var peers = reply.Peers.Where(p => !runtime.IsSelf(p)).ToList();
                if (peers.Count > 0) await engine.AddPeersAsync(download.InfoHash, peers);
            }
            catch (Exception e) when (e is TrackerUnavailableException or IOException or InvalidOperationException or KeyNotFoundException)
            {
                LogRefreshFailed(logger, download.Name, e.Message);
            }
        }
        // While something moves (and once more when it stops), the fleet view sees live rates, not the last refresh's.
        if (_moving || engine.GetDownloads().Any(d => d.State is DownloadState.Downloading or DownloadState.WaitingForPeers))
            await ReportStatusAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh {Name} with the tracker: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The tracker refused this peer's status report ({Status})")]
    private static partial void LogStatusRefused(ILogger logger, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report this peer's status: {Reason}")]
    private static partial void LogStatusFailed(ILogger logger, string reason);
}
