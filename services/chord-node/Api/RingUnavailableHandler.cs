using BitTorrent.ChordNode.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace BitTorrent.ChordNode.Api;

/// <summary>
/// A request the ring could not serve now (no holder of a key answered, or a counter's replicas kept refusing) is a
/// 503 problem with <c>Retry-After</c>, not a 500: this node is alive and answering, so callers (the gateway, other
/// members, peers) try again or elsewhere instead of taking the node for dead.
/// </summary>
public sealed class RingUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
{
    /// <summary>Seconds a caller should wait: about as long as the ring takes to repair after a member dies.</summary>
    public const int RetryAfterSeconds = 1;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not DhtUnavailableException) return false;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Ring unavailable",
                Detail = "The ring could not serve this request now (it is repairing after a change of members). Try again shortly.",
            },
        });
    }
}
