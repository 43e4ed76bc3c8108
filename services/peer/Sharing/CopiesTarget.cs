using System.Net;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Changes how many copies of a published file the ring keeps (its target number of seeders), with this peer's token: only
/// the peer that published it may.
/// </summary>
public sealed partial class CopiesTarget(PeerStorage storage, TrackerConnection tracker, ILogger<CopiesTarget> logger)
{
    public async Task SetAsync(Id160 infoHash, int copies, CancellationToken cancellationToken)
    {
        var token = storage.LoadIdentity()?.Token ?? throw new TransferEngineNotStartedException();
        var hex = infoHash.ToString();
        using var response = await tracker.CallAsOwnerAsync((api, ct) => api.SetCopiesAsync(hex, new CopiesRequest(copies), token, ct), cancellationToken);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NoContent or HttpStatusCode.OK:
                LogCopiesSet(logger, hex, copies);
                return;
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                throw new DownloadRefusedException(HttpStatusCode.Forbidden, "Not the publisher", "Only the peer that published a file may change its copies.");
            case HttpStatusCode.NotFound:
                throw new DownloadRefusedException(HttpStatusCode.NotFound, "Not in the catalog", "The tracker does not know that file.");
            case HttpStatusCode.BadRequest:
                throw new DownloadRefusedException(HttpStatusCode.BadRequest, "Invalid copies", $"Copies must be from {CopiesRequest.Min} to {CopiesRequest.Max}.");
            default:
                throw new DownloadRefusedException(HttpStatusCode.BadGateway, "Tracker error", $"The tracker answered {(int?)response.StatusCode} to the change; nothing was changed.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The ring now keeps {Copies} copies of {InfoHash}")]
    private static partial void LogCopiesSet(ILogger logger, string infoHash, int copies);
}
