using System.Net;
using System.Threading.RateLimiting;
using BitTorrent.ChordNode.Api;
using BitTorrent.Shared.Hosting;
using Microsoft.Extensions.Options;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// Rate limits of the public tracker (the REST API, /announce, /scrape) on the node itself: a token bucket per
/// connection address, <see cref="TrackerOptions.RequestsPerSecond"/> a second. Trusted proxies (the gateway)
/// are not limited here: they forward many clients and limit each of them themselves. Ring RPC and the health
/// probes carry no policy, so they are never limited.
/// </summary>
public static class TrackerRateLimits
{
    public const string Public = "tracker-public";

    public static IServiceCollection AddTrackerRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) => new ValueTask(AnnounceApi.IsTrackerProtocol(context.HttpContext.Request.Path)
                ? AnnounceApi.WriteFailureAsync(context.HttpContext, "too many requests from this address; retry later", StatusCodes.Status429TooManyRequests)
                : PerAddressRateLimit.WriteTooManyRequestsAsync(context.HttpContext, "the tracker"));
            limiter.AddPolicy(Public, context =>
            {
                var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
                if (context.RequestServices.GetRequiredService<TrustedProxyList>().Contains(address))
                    return RateLimitPartition.GetNoLimiter("trusted-proxy");
                var perSecond = context.RequestServices.GetRequiredService<IOptions<TrackerOptions>>().Value.RequestsPerSecond;
                return PerAddressRateLimit.Bucket(address.ToString(), perSecond, burst: perSecond);
            });
        });
        return services;
    }
}
