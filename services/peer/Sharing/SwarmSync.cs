using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Keeps the tracker's view of this peer true: every file in the library is announced as seeded
/// (the tracker forgets entries not re-announced), and running downloads announce themselves and
/// take the peers the tracker returns. (A finished download joins the library through
/// <see cref="DownloadCompletions"/>.)
/// </summary>
public sealed partial class SwarmSync(
    PeerStorage storage,
    PeerRuntime runtime,
    TransferEngine engine,
    SwarmAnnouncer announcer,
    TrackerConnection tracker,
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
        var token = storage.LoadIdentity()?.Token ?? throw new TransferEngineNotStartedException(); // no id and token yet: the peer is still starting
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
        return announcer.AnnounceAsync(infoHash, engine.PeerId, runtime.TransferPort, left: 0, @event, cancellationToken);
    }

    /// <summary>Seeds and announces every library file (after a start, and periodically).</summary>
    public async Task RefreshLibraryAsync(bool seed, CancellationToken cancellationToken)
    {
        foreach (var item in storage.Library())
        {
            try
            {
                var torrentPath = storage.TorrentPath(item.InfoHash);
                var contentPath = storage.ContentPath(item.InfoHash, item.Name);
                if (!File.Exists(torrentPath) || !(File.Exists(contentPath) || Directory.Exists(contentPath))) continue; // removed by hand
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
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh {Name} with the tracker: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string name, string reason);
}
