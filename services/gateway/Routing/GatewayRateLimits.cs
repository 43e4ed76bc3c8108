using BitTorrent.Shared.Hosting;

namespace BitTorrent.Gateway.Routing;

/// <summary>Rate limits on the public routes: a token bucket per client address, 429 with problem details when exceeded.</summary>
public static class GatewayRateLimits
{
    public const string Public = "public";

    /// <summary>The content relay (<c>/files/**</c>): its own, smaller bucket per address (<c>Gateway:FileRequestsPerSecond</c>).</summary>
    public const string Files = "files";

    public static IServiceCollection AddGatewayRateLimits(this IServiceCollection services, GatewayOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) => new ValueTask(PerAddressRateLimit.WriteTooManyRequestsAsync(context.HttpContext, "the gateway"));
            limiter.AddPolicy(Public, context => PerAddressRateLimit.Bucket(context, options.RequestsPerSecond, burst: options.RequestsPerSecond));
            limiter.AddPolicy(Files, context => PerAddressRateLimit.Bucket(context, options.FileRequestsPerSecond, burst: options.FileRequestsPerSecond));
        });
        return services;
    }
}
