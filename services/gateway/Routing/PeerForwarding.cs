namespace BitTorrent.Gateway.Routing;

/// <summary>Maps /peers/{peerId}/** to <see cref="PeerForwarder"/> and a peer's OpenAPI document to <see cref="PeerOpenApiDocument"/>.</summary>
public static class PeerForwarding
{
    public static IEndpointRouteBuilder MapPeerForwarding(this IEndpointRouteBuilder app)
    {
        app.Map("/peers/{peerId}/{**rest}", (HttpContext context, string peerId, string? rest, PeerForwarder forwarder) => forwarder.ForwardAsync(context, peerId, rest))
            .WithTags("Peers").WithName("PeerApi").WithSummary("Any request to a peer")
            .WithDescription("Forwards the request to the peer's API url registered with the tracker, without the /peers/{peerId} prefix: /peers/1/api/files is peer 1's /api/files, /peers/1/ its web UI (/peers/1 redirects there, so the UI's relative links resolve). 404 when the tracker does not know the peer, 502 when it cannot be reached, 503 when no chord node answers.")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireRateLimiting(GatewayRateLimits.Public);
        app.MapGet(PeerOpenApiDocument.Path, (PeerOpenApiDocument document, CancellationToken cancellationToken) => document.GetAsync(cancellationToken))
            .ExcludeFromDescription();
        return app;
    }
}
