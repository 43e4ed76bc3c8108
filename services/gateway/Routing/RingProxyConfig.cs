using Yarp.ReverseProxy.Configuration;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// YARP routes and the "ring" cluster. Tracker routes go to every live chord node, with active
/// health checks (/healthz) and passive ones (transport failures); ring RPC is never routed.
/// /announce and /scrape are not here: <see cref="AnnounceForwarder"/> sends them to the swarm's owner.
/// </summary>
public static class RingProxyConfig
{
    public const string Cluster = "ring";

    public static IReadOnlyList<RouteConfig> Routes(GatewayOptions options) =>
    [
        Route("tracker", "/api/tracker/{**rest}", options.MaxTrackerBodyBytes),
        Route("chord-openapi", "/openapi/chord-node.json", options.MaxTrackerBodyBytes) with
        {
            Transforms = [new Dictionary<string, string> { ["PathSet"] = "/openapi/v1.json" }],
        },
    ];

    private static RouteConfig Route(string id, string path, long maxBody) => new()
    {
        RouteId = id,
        ClusterId = Cluster,
        Match = new RouteMatch { Path = path },
        MaxRequestBodySize = maxBody,
        RateLimiterPolicy = GatewayRateLimits.Public,
    };

    public static IReadOnlyList<ClusterConfig> Clusters(IReadOnlyList<string> members) =>
    [
        new ClusterConfig
        {
            ClusterId = Cluster,
            LoadBalancingPolicy = "PowerOfTwoChoices",
            Destinations = members.ToDictionary(m => m, m => new DestinationConfig { Address = m, Health = m }, StringComparer.Ordinal),
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = TimeSpan.FromSeconds(2),
                    Timeout = TimeSpan.FromSeconds(1),
                    Policy = "ConsecutiveFailures",
                    Path = "/healthz",
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = "TransportFailureRate",
                    ReactivationPeriod = TimeSpan.FromSeconds(5),
                },
                AvailableDestinationsPolicy = "HealthyOrPanic",
            },
            Metadata = new Dictionary<string, string>
            {
                ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1",
                ["TransportFailureRateHealthPolicy.RateLimit"] = "0.3",
            },
            HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(30) },
        },
    ];
}
