using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Tracking;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace BitTorrent.Peer.Api;

/// <summary>
/// Expected refusals become RFC 7807 problem details with a sentence a user can read: a file not
/// available, a download already in progress, a file already here, a peer still starting, and tracker outages.
/// </summary>
public sealed class PeerProblemHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var detail = exception.Message;
        var (status, title) = exception switch
        {
            DownloadRefusedException refused => ((int)refused.Status, refused.Title),
            PublishException => (StatusCodes.Status400BadRequest, "Cannot publish"),
            TrackerUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Tracker unavailable"),
            TransferEngineNotStartedException => (StatusCodes.Status503ServiceUnavailable, "Peer starting"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            _ => (0, ""),
        };
        if (status == 0) return false;
        if (exception is TransferEngineNotStartedException)
            detail = "This peer has not registered with the tracker yet: no chord node answered so far. It keeps trying.";
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
