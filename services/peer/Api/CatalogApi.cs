using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Identifiers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BitTorrent.Peer.Api;

public static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/catalog", GetAsync).WithTags("Catalog")
            .WithName("GetCatalog").WithSummary("Available files")
            .WithDescription("Every file published to the tracker (optionally those whose name contains `search`, ignoring case), with its live seeders and leechers and what this peer can do: `have`, `downloading`, `available` or `unavailable` (no seeder now).")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<CatalogView>>> GetAsync(string? search, TrackerConnection tracker, PeerStorage storage, TransferEngine engine, MagnetLinks links, CancellationToken cancellationToken)
    {
        var files = await tracker.CallAsync((api, ct) => api.GetFilesAsync(search, ct), cancellationToken);
        var entries = files.Select(f =>
        {
            Id160.TryParse(f.InfoHash, out var id);
            var download = engine.GetDownload(id);
            var status = storage.Find(id) is not null || download is { State: DownloadState.Completed } ? "have"
                : download is { State: DownloadState.Downloading or DownloadState.WaitingForPeers or DownloadState.Paused } ? "downloading"
                : f.Seeders > 0 ? "available" : "unavailable";
            return new CatalogView(f.InfoHash, f.Name, f.Length, f.Seeders, f.Leechers, status, $"api/files/{f.InfoHash}/torrent", links.For(id, f.Name));
        }).OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ToList();
        return TypedResults.Ok<IReadOnlyList<CatalogView>>(entries);
    }
}
