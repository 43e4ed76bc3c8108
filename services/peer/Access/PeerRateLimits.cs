using System.Threading.RateLimiting;
using BitTorrent.Peer.Api;
using BitTorrent.Shared.Hosting;

namespace BitTorrent.Peer.Access;

/// <summary>
/// A token bucket per client address on the API (<c>Peer:RequestsPerSecond</c>, bursts up to twice that): 429
/// problem details beyond it, and one more per address on the public content route. The UI's polling is a few
/// requests a second; the UI shell and health stay unlimited.
/// </summary>
public static class PeerRateLimits
{
    public static IServiceCollection AddPeerRateLimits(this IServiceCollection services, int requestsPerSecond)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) => new ValueTask(PerAddressRateLimit.WriteTooManyRequestsAsync(context.HttpContext, "the peer"));
            // The public content route has a bucket of its own per address, so relaying files never uses up the API's.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments(PublicFilesApi.Prefix)
                    ? PerAddressRateLimit.Bucket(
                        (context.Request.Path.StartsWithSegments("/api") ? "api " : "public ") + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
                        requestsPerSecond, burst: 2 * requestsPerSecond)
                    : RateLimitPartition.GetNoLimiter("open"));
        });
        return services;
    }
}
