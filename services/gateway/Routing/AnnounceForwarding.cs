namespace BitTorrent.Gateway.Routing;

/// <summary>Maps /announce and /scrape to <see cref="AnnounceForwarder"/>.</summary>
public static class AnnounceForwarding
{
    public static IEndpointRouteBuilder MapAnnounceForwarding(this IEndpointRouteBuilder app)
    {
        foreach (var path in new[] { "/announce", "/scrape" })
        {
            app.MapGet(path, (HttpContext context, AnnounceForwarder forwarder) => forwarder.ForwardAsync(context))
                .RequireRateLimiting(GatewayRateLimits.Public)
                .ExcludeFromDescription(); // documented by the chord node's OpenAPI document
        }
        return app;
    }
}
