using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BitTorrent.Peer.Api;

public static class MeApi
{
    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("api/me").WithTags("Peer");
        me.MapGet("/", Get)
            .WithName("GetMe").WithSummary("This peer")
            .WithDescription("The peer's numeric id (from the tracker, kept in Storage/peer.json), its API and transfer addresses, and which chord node it uses as tracker: the one given by hand, the one in use, and those heard by multicast discovery.");
        me.MapPut("/tracker", SetTrackerAsync)
            .WithName("SetTracker").WithSummary("Use a chord node by hand")
            .WithDescription("Makes the peer try this chord node first (the web UI's tracker banner has a field for it). An empty url goes back to discovery. The node must answer.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapHealthEndpoints("Peer", "once the peer has its id from the tracker and its transfer engine runs (the body is GET /api/me's)", services =>
        {
            var runtime = services.GetRequiredService<PeerRuntime>();
            return new Readiness<MeView>(runtime.Ready,
                View(runtime, services.GetRequiredService<PeerHost>(), services.GetRequiredService<TrackerConnection>()));
        });
        return app;
    }

    private static Ok<MeView> Get(PeerRuntime runtime, PeerHost host, TrackerConnection tracker) => TypedResults.Ok(View(runtime, host, tracker));

    private static MeView View(PeerRuntime runtime, PeerHost host, TrackerConnection tracker) =>
        new(runtime.PeerId, runtime.Ready, host.ApiUrl, runtime.AdvertisedHost, runtime.TransferPort,
            new TrackerView(tracker.Current, tracker.Manual, tracker.Discovered(), tracker.Candidates()));

    private static async Task<Results<Ok<MeView>, ProblemHttpResult>> SetTrackerAsync(
        TrackerChoice choice, PeerRuntime runtime, PeerHost host, TrackerConnection tracker, IHttpClientFactory clients, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(choice.Url))
        {
            tracker.Manual = null;
            return TypedResults.Ok(View(runtime, host, tracker));
        }
        if (!Uri.TryCreate(choice.Url.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return TypedResults.Problem(title: "Not a node address", detail: $"'{choice.Url}' is not an http(s) URL such as http://127.0.0.1:5101.", statusCode: 400);
        try
        {
            using var response = await clients.CreateClient(TrackerConnection.HttpClientName).GetAsync(new Uri(url, "/api/tracker/ring"), cancellationToken);
            response.EnsureSuccessStatusCode();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return TypedResults.Problem(title: "Node does not answer", detail: $"No chord node answered at {url}: {e.Message}", statusCode: 400);
        }
        tracker.UseByHand(url.GetLeftPart(UriPartial.Authority));
        return TypedResults.Ok(View(runtime, host, tracker));
    }
}
