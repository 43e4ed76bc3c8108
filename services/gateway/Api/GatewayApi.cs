using BitTorrent.Gateway.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Yarp.ReverseProxy;

namespace BitTorrent.Gateway.Api;

/// <summary>The gateway's own endpoints: health, where it routes, and the refusal of ring RPC.</summary>
public static class GatewayApi
{
    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new GatewayHealth("live", [])))
            .WithTags("Health").WithName("GatewayLive").WithSummary("Liveness probe")
            .WithDescription("200 while the gateway serves requests.");
        app.MapGet("/readyz", Results<Ok<GatewayHealth>, JsonHttpResult<GatewayHealth>> (RingMembership membership, IProxyStateLookup proxy) =>
                // Ready when the proxy itself routes to the members, not merely when they are known:
                // YARP applies a new configuration a moment after it is given.
                proxy.TryGetCluster(RingProxyConfig.Cluster, out var cluster) && cluster.Destinations.Count > 0 && membership.Members.Length > 0
                    ? TypedResults.Ok(new GatewayHealth("ready", [.. cluster.Destinations.Keys.Order(StringComparer.Ordinal)]))
                    : TypedResults.Json(new GatewayHealth("no chord node known yet", []), statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithTags("Health").WithName("GatewayReady").WithSummary("Readiness probe")
            .WithDescription("200 once the gateway knows at least one chord node to route tracker requests to; lists them.");

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
}

public sealed record GatewayHealth(string Status, IReadOnlyList<string> ChordNodes);
