using System.Globalization;
using System.Text.Json;
using BitTorrent.Gateway.Routing;
using BitTorrent.Shared.Contracts.Tracker;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BitTorrent.Gateway.Api;

/// <summary>
/// The gateway's read views for its page: the fleet of peers (what the tracker knows of each, and the gateway's own
/// probe of it). The gateway never calls a peer's <c>/api/**</c> (that belongs to the peer's owner): a peer's figures
/// come from the status it reports to the tracker with its token, its health from that report's age and <c>/readyz</c>.
/// </summary>
public static class FleetApi
{
    /// <summary>Peers listed at most (the most recently seen); <see cref="FleetView.Registered"/> counts them all.</summary>
    public const int MaxPeers = 500;

    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/gateway").WithTags("Gateway").RequireRateLimiting(GatewayRateLimits.Public);
        api.MapGet("/fleet", GetFleetAsync)
            .WithName("GetFleet")
            .WithSummary("Every registered peer and its health")
            .WithDescription("Registered peers by id, each with its UI through the gateway (`peers/{id}/`), its health and its last status report " +
                "(active downloads, download and upload rates in bytes per second, files shared, version), and the fleet's totals. Health: `healthy` " +
                "(reported to the tracker within two of its refresh periods and its `/readyz` answers 200 to the gateway), `starting` (answers, not " +
                "ready), `unreachable` (reports, but the gateway cannot reach it), `stale` (answers, no recent report), `offline` (neither). " +
                $"Probes are cached (`Gateway:PeerProbeInterval`). At most {MaxPeers} peers are listed, the most recently seen. " +
                "503 when no chord node answers.");
        return app;
    }

    private static async Task<Results<Ok<FleetView>, ProblemHttpResult>> GetFleetAsync(
        RingMembership membership, IHttpClientFactory httpClients, PeerHealthProbe probe, TimeProvider time, CancellationToken cancellationToken)
    {
        var peers = await RegisteredPeersAsync(membership, httpClients, cancellationToken);
        if (peers is null)
            return TypedResults.Problem(title: "Tracker unavailable",
                detail: "No chord node answered, so the gateway cannot list the peers. It keeps trying; reload in a moment.",
                statusCode: StatusCodes.Status503ServiceUnavailable);

        var listed = peers.OrderByDescending(p => p.LastSeen).Take(MaxPeers).ToList();
        var reachable = listed.Where(p => PeerAddressRules.ApiUrlRefusal(p.ApiUrl) is null).Select(p => p.ApiUrl!).ToList();
        var ready = await probe.ProbeAsync(reachable, cancellationToken);
        var now = time.GetUtcNow();
        var fleet = listed.Select(p =>
        {
            var forwarded = PeerAddressRules.ApiUrlRefusal(p.ApiUrl) is null;
            bool? isReady = forwarded && ready.TryGetValue(p.ApiUrl!, out var r) ? r : null;
            var seen = p.Status is { } s && now - s.ReportedAt <= 2 * TimeSpan.FromSeconds(s.RefreshSeconds);
            var health = (seen, isReady) switch
            {
                (true, true) => "healthy",
                (_, false) => "starting",
                (true, null) => "unreachable",
                (false, true) => "stale",
                _ => "offline",
            };
            return new FleetPeer(p.PeerId, forwarded ? $"peers/{p.PeerId.ToString(CultureInfo.InvariantCulture)}/" : null, health, seen, isReady, p.LastSeen,
                seen ? p.Status : null);
        }).OrderBy(p => p.PeerId).ToList();
        var reporting = fleet.Where(p => p.Status is not null).Select(p => p.Status!).ToList();
        return TypedResults.Ok(new FleetView(peers.Count, fleet.Count(p => p.Health == "healthy"), reporting.Sum(s => s.ActiveDownloads),
            reporting.Sum(s => s.DownloadBytesPerSecond), reporting.Sum(s => s.UploadBytesPerSecond), fleet, now));
    }

    /// <summary>The tracker's peer list from the first chord node that answers; null when none does.</summary>
    private static async Task<IReadOnlyList<PeerInfo>?> RegisteredPeersAsync(RingMembership membership, IHttpClientFactory httpClients, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(RingMembership.HttpClientName);
        foreach (var member in membership.Members)
        {
            try
            {
                return await client.GetFromJsonAsync<PeerInfo[]>($"{member}/api/tracker/peers", cancellationToken) ?? [];
            }
            catch (Exception e) when (e is HttpRequestException or JsonException
                                      || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Try the next member.
            }
        }
        return null;
    }
}
