using System.Text.Json;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Volunteering;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BitTorrent.Peer.Api;

/// <summary>
/// <c>GET</c>/<c>PUT /api/settings</c>: the limits over everything and the number of active downloads, saved in
/// Storage and applied to the running engine at once (no restart).
/// </summary>
public static class SettingsApi
{
    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("api/settings").WithTags("Settings");
        settings.MapGet("/", Get)
            .WithName("GetSettings").WithSummary("Settings")
            .WithDescription("The download and upload limits over all transfers (bytes per second, 0 = unlimited) and the number of downloads that fetch at once (`maxActiveDownloads`, 0 = no limit; further downloads wait in state `queued`), and the bytes lent to the ring for volunteer copies (`volunteerMaxBytes`, 0 = do not volunteer; see /api/volunteer). Until settings are saved these are the configured defaults (`Transfer:DownloadRateLimit`, `Transfer:UploadRateLimit`, `Transfer:MaxActiveDownloads`, `Peer:Volunteer:MaxBytes`).");
        settings.MapPut("/", PutAsync)
            .WithName("PutSettings").WithSummary("Change settings")
            .WithDescription("Changes the fields sent (the others keep their value), saves them in Storage and applies them at once: a saved setting wins over the configured default from then on, also after a restart. A raised `maxActiveDownloads` starts queued downloads; a lowered one stops nothing that runs. 400 with the problem of each field for values out of range.")
            .Accepts<SettingsUpdate>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static Ok<PeerSettings> Get(PeerSettingsStore store) => TypedResults.Ok(store.Current);

    private static async Task<Results<Ok<PeerSettings>, ValidationProblem, ProblemHttpResult>> PutAsync(
        HttpRequest request, PeerSettingsStore store, TransferEngine engine, VolunteerAgent volunteer, CancellationToken cancellationToken)
    {
        SettingsUpdate? update;
        try
        {
            update = await request.ReadFromJsonAsync<SettingsUpdate>(cancellationToken);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            update = null;
        }
        if (update is null)
            return TypedResults.Problem(title: "Invalid settings",
                detail: "Send JSON such as { \"downloadLimit\": 2097152, \"uploadLimit\": 0, \"maxActiveDownloads\": 3, \"volunteerMaxBytes\": 1073741824 }: whole numbers, limits in bytes per second.",
                statusCode: StatusCodes.Status400BadRequest);
        var current = store.Current;
        var changed = new PeerSettings(update.DownloadLimit ?? current.DownloadLimit, update.UploadLimit ?? current.UploadLimit,
            update.MaxActiveDownloads ?? current.MaxActiveDownloads, update.VolunteerMaxBytes ?? current.VolunteerMaxBytes);
        var problems = changed.Problems();
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems, title: "Invalid settings", detail: "Some settings are out of range; nothing was changed.");
        await store.ChangeAsync(changed, s => engine.IsStarted
            ? engine.ApplyLimitsAsync(s.DownloadLimit, s.UploadLimit, s.MaxActiveDownloads)
            : Task.CompletedTask); // a peer still starting applies the saved settings when its engine starts
        if (changed.VolunteerMaxBytes != current.VolunteerMaxBytes) volunteer.Wake(); // volunteering starts, stops or fits the new room now
        return TypedResults.Ok(changed);
    }
}
