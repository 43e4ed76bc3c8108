using System.Collections.Concurrent;
using System.Net;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// What every download controller of one engine shares: settings, connections to dial through, the block writer, where
/// state and events go, the download limit over all downloads and the queue of downloads waiting for a slot.
/// </summary>
internal sealed record DownloadContext(
    TransferEngineOptions Options,
    ConnectionTable Connections,
    BlockWriter Writer,
    DownloadEventHub Events,
    DownloadStateStore? Store,
    ConcurrentDictionary<Id160, DownloadSnapshot> Snapshots,
    IPEndPoint LocalEndPoint,
    ILogger Logger)
{
    /// <summary>The download limit over all downloads (blocks are requested only while it has tokens).</summary>
    public RateLimiter DownloadLimiter { get; } = new(Options.DownloadRateLimit);

    public DownloadQueue Queue { get; } = new() { MaxActive = Options.MaxActiveDownloads };
}
