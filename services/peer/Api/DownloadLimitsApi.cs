using System.Text.Json;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BitTorrent.Peer.Api;

/// <summary>How fast and when one download runs: its own limits, and its place in the queue of downloads waiting for a slot.</summary>
public static class DownloadLimitsApi
{
    public static IEndpointRouteBuilder MapDownloadLimitsApi(this IEndpointRouteBuilder app)
    {
        var downloads = app.MapGroup("api/downloads").WithTags("Downloads");
        downloads.MapPut("/{id}/limits", PutLimitsAsync)
            .WithName("PutDownloadLimits").WithSummary("Limit one download")
            .WithDescription("Body `{ \"downloadLimit\": 2097152, \"uploadLimit\": 0 }`: this download's own limits in bytes per second (0 = unlimited), on top of the limits in /api/settings; a field left out keeps its value. Saved with the download's state, so they survive a restart. 400 for values out of range.")
            .Accepts<DownloadLimitsUpdate>("application/json")
            .Produces<DownloadView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        downloads.MapPost("/{id}/queue/{move}", MoveAsync)
            .WithName("MoveQueuedDownload").WithSummary("Reorder the queue")
            .WithDescription("Moves a queued download in the queue: `top` (it starts next), `up`, `down` or `bottom`. The download's `queuePosition` (0 starts next) shows where it is; the order survives a restart. 409 when the download is not queued.")
            .Produces<DownloadView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Results<Ok<DownloadView>, ValidationProblem, ProblemHttpResult>> PutLimitsAsync(
        string id, HttpRequest request, DownloadManager manager, CancellationToken cancellationToken)
    {
        if (!InfoHashes.TryParse(id, out var infoHash)) return Invalid(id);
        DownloadLimitsUpdate? update;
        try
        {
            update = await request.ReadFromJsonAsync<DownloadLimitsUpdate>(cancellationToken);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            update = null;
        }
        if (update is null)
            return TypedResults.Problem(title: "Invalid limits",
                detail: "Send JSON such as { \"downloadLimit\": 2097152, \"uploadLimit\": 0 }: whole numbers of bytes per second, 0 for unlimited.",
                statusCode: StatusCodes.Status400BadRequest);
        var problems = new Dictionary<string, string[]>();
        if (update.DownloadLimit is { } down) PeerSettings.CheckRate(problems, "downloadLimit", down);
        if (update.UploadLimit is { } up) PeerSettings.CheckRate(problems, "uploadLimit", up);
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems, title: "Invalid limits", detail: "A limit is out of range; nothing was changed.");
        return TypedResults.Ok(DownloadView.Of(await manager.SetLimitsAsync(infoHash, update.DownloadLimit, update.UploadLimit)));
    }

    private static async Task<Results<Ok<DownloadView>, ProblemHttpResult>> MoveAsync(string id, string move, DownloadManager manager)
    {
        if (!InfoHashes.TryParse(id, out var infoHash)) return Invalid(id);
        if (!Enum.TryParse<QueueMove>(move, ignoreCase: true, out var where) || !Enum.IsDefined(where) || int.TryParse(move, out _))
            return TypedResults.Problem(title: "Unknown move", detail: $"A queued download moves to the top, up, down or bottom, not '{move}'.", statusCode: StatusCodes.Status400BadRequest);
        return TypedResults.Ok(DownloadView.Of(await manager.MoveInQueueAsync(infoHash, where)));
    }

    private static ProblemHttpResult Invalid(string id) =>
        TypedResults.Problem(title: "Bad info-hash", detail: $"'{id}' is not an info-hash: it is 40 hexadecimal digits.", statusCode: StatusCodes.Status400BadRequest);
}
