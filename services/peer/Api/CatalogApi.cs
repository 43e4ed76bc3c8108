using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Peer.Volunteering;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BitTorrent.Peer.Api;

public static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/catalog", GetAsync).WithTags("Catalog")
            .WithName("GetCatalog").WithSummary("Available files")
            .WithDescription("Every file published to the tracker (optionally those whose name contains `search`, ignoring case), with its live seeders and leechers, when it was published and what this peer can do: `have`, `downloading`, `available` or `unavailable` (no seeder now). " +
                "`sort` (name, size, seeders, published) and `order` (asc, desc) order it as the tracker does; with `page` or `pageSize` the answer is one page, an object with `items` and `total`. " +
                "`available` is false for a stale entry (no seeder seen for the tracker's StaleAfter); `available=true` hides those. `copies` is the publisher's target number of seeders (volunteers fetch copies while fewer are online). A volunteer copy held here is not the user's: such a file shows `available`, and downloading it makes it the user's.")
            .Produces<IReadOnlyList<CatalogView>>()
            .Produces<CatalogPageView>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<CatalogView>>, Ok<CatalogPageView>, ValidationProblem>> GetAsync(
        string? search, string? sort, string? order, int? page, int? pageSize, bool? available, TrackerConnection tracker, PeerStorage storage, TransferEngine engine, MagnetLinks links, VolunteerCopies volunteerCopies, CancellationToken cancellationToken)
    {
        if (!CatalogQuery.TryCreate(search, sort, order, page, pageSize, out var query, out var errors)) return TypedResults.ValidationProblem(errors);
        if (page is null && pageSize is null)
        {
            var files = sort is null && order is null && available is not true
                ? await tracker.CallAsync((api, ct) => api.GetFilesAsync(search, ct), cancellationToken)
                : await tracker.CallAsync((api, ct) => api.GetSortedFilesAsync(query.Search, query.SortName, query.OrderName, available is true ? true : null, ct), cancellationToken);
            return TypedResults.Ok<IReadOnlyList<CatalogView>>(files.Select(f => View(f, storage, engine, links, volunteerCopies)).ToList());
        }
        var result = await tracker.CallAsync((api, ct) => api.GetFilePageAsync(query.Search, query.SortName, query.OrderName, query.Page, query.PageSize, available is true ? true : null, ct), cancellationToken);
        return TypedResults.Ok(new CatalogPageView(result.Total, result.Page, result.PageSize, result.Sort, result.Order,
            result.Items.Select(f => View(f, storage, engine, links, volunteerCopies)).ToList()));
    }

    private static CatalogView View(TrackerFileSummary f, PeerStorage storage, TransferEngine engine, MagnetLinks links, VolunteerCopies volunteerCopies)
    {
        Id160.TryParse(f.InfoHash, out var id);
        var volunteered = volunteerCopies.Contains(id);
        var download = volunteered ? null : engine.GetDownload(id);
        var status = !volunteered && storage.Find(id) is not null || download is { State: DownloadState.Completed } ? "have"
            : download is { State: DownloadState.Downloading or DownloadState.WaitingForPeers or DownloadState.Paused or DownloadState.Queued } ? "downloading"
            : f.Seeders > 0 ? "available" : "unavailable";
        return new CatalogView(f.InfoHash, f.Name, f.Length, f.Seeders, f.Leechers, status, $"api/files/{f.InfoHash}/torrent", links.For(id, f.Name), f.Published, f.Available, f.Copies);
    }
}
