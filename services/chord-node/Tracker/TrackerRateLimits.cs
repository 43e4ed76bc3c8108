using System.Net;
using System.Threading.RateLimiting;
using BitTorrent.ChordNode.Api;
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
                : Results.Problem(
                    title: "Too many requests",
                    detail: "This address is sending requests faster than the tracker allows; wait a moment and try again.",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext));
            limiter.AddPolicy(Public, context =>
            {
                var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
                if (context.RequestServices.GetRequiredService<TrustedProxyList>().Contains(address))
                    return RateLimitPartition.GetNoLimiter("trusted-proxy");
                var perSecond = context.RequestServices.GetRequiredService<IOptions<TrackerOptions>>().Value.RequestsPerSecond;
                return RateLimitPartition.GetTokenBucketLimiter(address.ToString(), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perSecond,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });
        return services;
    }
}
