using System.Net;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Removing a file (or folder) from this peer: it stops being shared (the swarm is left with a
/// "stopped" announce), a running download of it ends, it leaves the library, and its data is
/// deleted or kept on disk as the user chooses. The catalog entry stays: unpublishing is separate.
/// </summary>
public sealed partial class FileRemover(PeerStorage storage, TransferEngine engine, SwarmAnnouncer announcer, PeerRuntime runtime, ILogger<FileRemover> logger)
{
    public async Task RemoveAsync(Id160 infoHash, bool deleteData, CancellationToken cancellationToken)
    {
        if (!engine.IsStarted) throw new TransferEngineNotStartedException();
        var held = storage.Find(infoHash);
        var download = engine.GetDownload(infoHash);
        if (held is null && download is null)
            throw new DownloadRefusedException(HttpStatusCode.NotFound, "No such file", "This peer neither holds nor downloads that file.");
        try
        {
            await engine.RemoveAsync(infoHash);
        }
        catch (KeyNotFoundException)
        {
            // In the library but not served (its files were missing at the last start): nothing to stop.
        }
        storage.Remove(infoHash);
        if (deleteData) storage.DeleteData(infoHash);
        LogRemoved(logger, held?.Name ?? download!.Name, infoHash.ToString(), deleteData);
        try
        {
            await announcer.AnnounceAsync(infoHash, engine.PeerId, runtime.TransferPort, 0, "stopped", cancellationToken);
        }
        catch (TrackerUnavailableException e)
        {
            LogStoppedAnnounceFailed(logger, infoHash.ToString(), e.Message); // the tracker drops us when our announces stop
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Name} ({InfoHash}); data deleted: {DeleteData}")]
    private static partial void LogRemoved(ILogger logger, string name, string infoHash, bool deleteData);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The 'stopped' announce for {InfoHash} failed: {Error}")]
    private static partial void LogStoppedAnnounceFailed(ILogger logger, string infoHash, string error);
}
