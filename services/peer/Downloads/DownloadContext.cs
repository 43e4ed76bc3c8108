using System.Collections.Concurrent;
using System.Net;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Downloads;

/// <summary>What every download controller of one engine shares: settings, connections to dial through, the block writer, where state and events go.</summary>
internal sealed record DownloadContext(
    TransferEngineOptions Options,
    ConnectionTable Connections,
    BlockWriter Writer,
    DownloadEventHub Events,
    DownloadStateStore? Store,
    ConcurrentDictionary<Id160, DownloadSnapshot> Snapshots,
    IPEndPoint LocalEndPoint,
    ILogger Logger);
