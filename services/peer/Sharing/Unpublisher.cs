using System.Net;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Takes a file this peer published out of the tracker's catalog, with this peer's token (only the publisher may).
/// The API removes the file here right after (<see cref="FileRemover"/>): a file still held would be published again
/// at the next start.
/// </summary>
public sealed partial class Unpublisher(PeerStorage storage, TrackerConnection tracker, SwarmSync swarms, ILogger<Unpublisher> logger)
{
    public async Task UnpublishAsync(Id160 infoHash, CancellationToken cancellationToken)
    {
        var token = storage.LoadIdentity()?.Token ?? throw new TransferEngineNotStartedException();
        var hex = infoHash.ToString();
        using var response = await tracker.CallAsOwnerAsync((api, ct) => api.RemoveFileAsync(hex, token, ct), cancellationToken);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NoContent or HttpStatusCode.OK:
                swarms.ForgetPublished(infoHash); // publishing it again lists it again
                LogUnpublished(logger, hex);
                return;
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                throw new DownloadRefusedException(HttpStatusCode.Forbidden, "Not the publisher", "Only the peer that published a file may take it out of the catalog.");
            case HttpStatusCode.NotFound:
                throw new DownloadRefusedException(HttpStatusCode.NotFound, "Not in the catalog", "The tracker does not know that file.");
            default:
                throw new DownloadRefusedException(HttpStatusCode.BadGateway, "Tracker error", $"The tracker answered {(int?)response.StatusCode} to the unpublish; nothing was removed.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unpublished {InfoHash}: it left the tracker's catalog")]
    private static partial void LogUnpublished(ILogger logger, string infoHash);
}
