using BitTorrent.Gateway.Routing;
using BitTorrent.Shared.Hosting;
using Yarp.ReverseProxy;

namespace BitTorrent.Gateway.Api;

/// <summary>The gateway's own endpoints: health, where it routes, and the refusal of ring RPC.</summary>
public static class GatewayApi
{
    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthEndpoints("Gateway", "once the gateway routes tracker requests to at least one chord node (listed in `chordNodes`)", CheckReadiness);

        // Ring RPC is for members only and never leaves the ring through the gateway.
        foreach (var prefix in new[] { "/chord", "/dht" })
        {
            app.Map(prefix + "/{**rest}", () => TypedResults.Problem(
                    title: "Not found",
                    detail: "Ring RPC is internal to the chord ring and is not exposed by the gateway.",
                    statusCode: StatusCodes.Status404NotFound))
                .ExcludeFromDescription();
        }
        return app;
    }

    /// <summary>
    /// Ready when the proxy itself routes to the members, not merely when they are known: YARP applies
    /// a new configuration a moment after it is given.
    /// </summary>
    private static Readiness<GatewayReadiness> CheckReadiness(IServiceProvider services)
    {
        var membership = services.GetRequiredService<RingMembership>();
        var proxy = services.GetRequiredService<IProxyStateLookup>();
        return proxy.TryGetCluster(RingProxyConfig.Cluster, out var cluster) && cluster.Destinations.Count > 0 && membership.Members.Length > 0
            ? new(true, new GatewayReadiness("ready", [.. cluster.Destinations.Keys.Order(StringComparer.Ordinal)]))
            : new(false, new GatewayReadiness("no chord node known yet", []));
    }
}
