using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Keeps the tracker's view of this peer true: every file in the library is announced as seeded
/// (the tracker forgets entries not re-announced), running downloads announce themselves and
/// take the peers the tracker returns, and a finished download joins the library and is seeded.
/// </summary>
public sealed partial class SwarmSync(
    PeerStorage storage,
    PeerRuntime runtime,
    SwarmAnnouncer announcer,
    TrackerConnection tracker,
    TimeProvider time,
    ILogger<SwarmSync> logger)
{
    private readonly HashSet<Id160> _published = [];
    private readonly Lock _gate = new();

    /// <summary>Puts the torrent in the DHT once per run (idempotent at the tracker anyway).</summary>
    public async Task EnsurePublishedAsync(TorrentMetainfo torrent, CancellationToken cancellationToken)
    {
        lock (_gate) if (_published.Contains(torrent.InfoHash)) return;
        var bytes = torrent.ToBytes();
        // Published as this peer (its token), so the tracker records it as the publisher who may remove it.
        var token = storage.LoadIdentity()?.Token ?? throw new PeerNotReadyException();
        var response = await tracker.CallAsOwnerAsync((api, ct) =>
        {
            var body = new ByteArrayContent(bytes);
            body.Headers.ContentType = new("application/x-bittorrent");
            return api.PublishAsOwnerAsync(body, token, ct);
        }, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new PublishException($"The tracker refused the torrent: {response.Error?.Message ?? response.StatusCode.ToString()}");
        lock (_gate) _published.Add(torrent.InfoHash);
    }

    public Task<AnnounceReply> AnnounceSeedingAsync(Id160 infoHash, string? @event, CancellationToken cancellationToken)
    {
        var engine = runtime.RequireEngine();
        return announcer.AnnounceAsync(infoHash, engine.PeerId, runtime.TransferPort, left: 0, @event, cancellationToken);
    }

    /// <summary>Seeds and announces every library file (after a start, and periodically).</summary>
    public async Task RefreshLibraryAsync(bool seed, CancellationToken cancellationToken)
    {
        var engine = runtime.RequireEngine();
        foreach (var item in storage.Library())
        {
            try
            {
                var torrentPath = storage.TorrentPath(item.InfoHash);
                var contentPath = storage.ContentPath(item.InfoHash, item.Name);
                if (!File.Exists(torrentPath) || !File.Exists(contentPath)) continue; // removed by hand
                var torrent = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath, cancellationToken));
                if (seed) await engine.SeedAsync(torrent, contentPath);
                await EnsurePublishedAsync(torrent, cancellationToken);
                await AnnounceSeedingAsync(item.InfoHash, seed ? "started" : null, cancellationToken);
            }
            catch (Exception e) when (e is TrackerUnavailableException or PublishException or InvalidTorrentException or IOException)
            {
                LogRefreshFailed(logger, item.Name, e.Message);
            }
        }
    }

    /// <summary>Running downloads ask for peers; finished ones join the library.</summary>
    public async Task PollDownloadsAsync(CancellationToken cancellationToken)
    {
        var engine = runtime.RequireEngine();
        foreach (var download in engine.GetDownloads())
        {
            try
            {
                switch (download.State)
                {
                    case DownloadState.Downloading or DownloadState.WaitingForPeers:
                        var reply = await announcer.AnnounceAsync(download.InfoHash, engine.PeerId, runtime.TransferPort,
                            download.TotalBytes - download.BytesDone, null, cancellationToken);
                        var peers = reply.Peers.Where(p => !runtime.IsSelf(p)).ToList();
                        if (peers.Count > 0) await engine.AddPeersAsync(download.InfoHash, peers);
                        break;
                }
            }
            catch (Exception e) when (e is TrackerUnavailableException or IOException or InvalidOperationException)
            {
                LogRefreshFailed(logger, download.Name, e.Message);
            }
        }
        foreach (var item in AbsorbCompletedDownloads())
        {
            try
            {
                await AnnounceSeedingAsync(item.InfoHash, "completed", cancellationToken);
            }
            catch (TrackerUnavailableException e)
            {
                LogRefreshFailed(logger, item.Name, e.Message);
            }
        }
    }

    /// <summary>Finished downloads join the library (no network: the API calls it too, so a finished file is listed at once).</summary>
    public IReadOnlyList<LibraryItem> AbsorbCompletedDownloads()
    {
        var engine = runtime.Engine;
        if (engine is null) return [];
        var absorbed = new List<LibraryItem>();
        foreach (var download in engine.GetDownloads())
        {
            if (download.State != DownloadState.Completed || storage.Find(download.InfoHash) is not null) continue;
            var name = Path.GetFileName(download.TargetPath);
            var item = storage.Add(new LibraryItem(download.InfoHash, name, download.TotalBytes, LibraryOrigin.Downloaded, download.CompletedAt ?? time.GetUtcNow()));
            LogCompleted(logger, name);
            absorbed.Add(item);
        }
        return absorbed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh {Name} with the tracker: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded {Name}; seeding it")]
    private static partial void LogCompleted(ILogger logger, string name);
}
