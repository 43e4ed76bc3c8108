using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Volunteering;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Api;

/// <summary><c>GET /api/volunteer</c>: the volunteer room and the volunteer copies, listed apart from the user's files and downloads.</summary>
public static class VolunteerApi
{
    public static IEndpointRouteBuilder MapVolunteerApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/volunteer", Get).WithTags("Volunteer")
            .WithName("GetVolunteer").WithSummary("Volunteer copies")
            .WithDescription("The bytes this peer lends the ring (`maxBytes`, 0 = it does not volunteer; change it with `PUT /api/settings` `volunteerMaxBytes`), the bytes its volunteer copies take (`usedBytes`), how many it fetches at once, and each copy: name, size, state (`fetching`, `held`, `failed`) and progress. Volunteer copies are other people's files the ring asked this peer to keep available; they are not in /api/files or /api/downloads and are dropped when the ring has enough copies.");
        return app;
    }

    private static Ok<VolunteerView> Get(PeerSettingsStore settings, VolunteerCopies copies, IVolunteerFiles files, IOptions<VolunteerOptions> options)
    {
        var views = copies.All().OrderByDescending(c => c.Since).Select(c =>
        {
            var state = files.StateOf(c.InfoHash);
            var described = files.Describe(c.InfoHash);
            var progress = state == VolunteerFileState.Held ? 1.0
                : described is { Total: > 0 } d ? (double)d.Done / d.Total : 0.0;
            var stateName = state switch
            {
                VolunteerFileState.Held => "held",
                VolunteerFileState.Failed => "failed",
                _ => "fetching",
            };
            return new VolunteerCopyView(c.InfoHash.ToString(), described?.Name ?? c.InfoHash.ToString(), c.Length, stateName, progress, c.Since);
        }).ToList();
        return TypedResults.Ok(new VolunteerView(settings.Current.VolunteerMaxBytes, copies.UsedBytes(), options.Value.MaxConcurrentFetches, views));
    }
}
