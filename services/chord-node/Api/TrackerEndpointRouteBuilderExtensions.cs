namespace BitTorrent.ChordNode.Api;

public static class TrackerEndpointRouteBuilderExtensions
{
    /// <summary>Maps the tracker REST API (<c>/api/tracker/**</c>) and the BitTorrent tracker (<c>/announce</c>, <c>/scrape</c>).</summary>
    public static IEndpointRouteBuilder MapTrackerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapTrackerApi();
        app.MapAnnounceApi();
        return app;
    }
}
