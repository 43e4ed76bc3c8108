namespace BitTorrent.ChordNode.Api;

public static class TrackerEndpointRouteBuilderExtensions
{
    /// <summary>Maps the tracker REST API (<c>/api/tracker/**</c>) the BitTorrent tracker (<c>/announce</c>, <c>/scrape</c>) and the gateway's batches of them.</summary>
    public static IEndpointRouteBuilder MapTrackerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapTrackerApi();
        app.MapAnnounceApi();
        app.MapTrackerBatchApi();
        return app;
    }
}
