using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace BitTorrent.Shared.Hosting;

/// <summary>
/// The pieces every service's rate limiter shares: a token bucket per client address, and the 429 answer
/// (problem details with <c>Retry-After: 1</c>) a client gets when its bucket is empty.
/// </summary>
public static class PerAddressRateLimit
{
    /// <summary>A token bucket keyed by the connection's address: <paramref name="perSecond"/> tokens a second, at most <paramref name="burst"/> saved up.</summary>
    public static RateLimitPartition<string> Bucket(HttpContext context, int perSecond, int burst) =>
        Bucket(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", perSecond, burst);

    /// <summary>A token bucket for <paramref name="key"/>: <paramref name="perSecond"/> tokens a second, at most <paramref name="burst"/> saved up.</summary>
    public static RateLimitPartition<string> Bucket(string key, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>Answers a rejected request with 429 problem details naming <paramref name="service"/> ("the gateway").</summary>
    public static Task WriteTooManyRequestsAsync(HttpContext context, string service)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(
            title: "Too many requests",
            detail: $"This address is sending requests faster than {service} allows; wait a moment and try again.",
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
    }
}
