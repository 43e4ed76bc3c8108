using BitTorrent.Peer.Access;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;

namespace BitTorrent.Peer.Api;

public static class FilesApi
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("api/files").WithTags("Files");
        files.MapGet("/", List)
            .WithName("GetMyFiles").WithSummary("My files")
            .WithDescription("Files this peer holds whole and serves: those it published and those it downloaded, newest first, optionally filtered by a case-insensitive `search` in the name.");
        files.MapPost("/", PublishAsync)
            .WithName("PublishFile").WithSummary("Publish a file")
            .WithDescription("Multipart upload (form field `file`), at most Peer:MaxUploadBytes (8 GiB by default; 413 beyond, refused as it streams). The file is copied into Storage, hashed into SHA-1 pieces, its BEP 3 .torrent made and put in the DHT, and seeded at once. 201 for a new file; 200 when the same content was already published here.")
            .DisableAntiforgery()
            .WithMetadata(BodyLimit.Upload)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        files.MapGet("/{infoHash}/content", Content)
            .WithName("OpenFile").WithSummary("Open a file")
            .WithDescription("The file's bytes, inline (so a browser shows what it can), with range requests. 404 while it is not here whole.");
        files.MapGet("/{infoHash}/torrent", TorrentAsync)
            .WithName("GetTorrent").WithSummary("The .torrent of a file")
            .WithDescription("The BEP 3 .torrent (application/x-bittorrent) of a file this peer holds, or of any file in the catalog (fetched from the tracker and kept in Storage).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static Ok<IReadOnlyList<FileView>> List(string? search, HeldFiles held)
    {
        var files = held.All()
            .Where(i => string.IsNullOrWhiteSpace(search) || i.Name.Contains(search.Trim(), StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(i => i.AddedAt)
            .Select(FileView.Of)
            .ToList();
        return TypedResults.Ok<IReadOnlyList<FileView>>(files);
    }

    private static async Task<Results<Created<FileView>, Ok<FileView>, ProblemHttpResult>> PublishAsync(
        IFormFile? file, Publisher publisher, CancellationToken cancellationToken)
    {
        if (file is null)
            return TypedResults.Problem(title: "No file", detail: "Send the file as multipart form data in a field named 'file'.", statusCode: 400);
        await using var content = file.OpenReadStream();
        var outcome = await publisher.PublishAsync(content, file.FileName, cancellationToken);
        var view = FileView.Of(outcome.Item);
        return outcome.Created ? TypedResults.Created(view.ContentUrl, view) : TypedResults.Ok(view);
    }

    private static IResult Content(string infoHash, PeerStorage storage, HeldFiles held, HttpContext context)
    {
        if (!InfoHashes.TryParse(infoHash, out var id)) return InfoHashes.Invalid(infoHash);
        var item = held.Find(id);
        var path = item is null ? null : storage.ContentPath(id, item.Name);
        if (item is null || !File.Exists(path))
            return TypedResults.Problem(title: "File not available", detail: "This peer does not hold that file whole (yet).", statusCode: 404);
        if (!ContentTypes.TryGetContentType(item.Name, out var contentType)) contentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = $"inline; filename*=UTF-8''{Uri.EscapeDataString(item.Name)}";
        return TypedResults.PhysicalFile(path!, contentType, enableRangeProcessing: true);
    }

    private static async Task<IResult> TorrentAsync(string infoHash, PeerStorage storage, DownloadManager downloads, CancellationToken cancellationToken)
    {
        if (!InfoHashes.TryParse(infoHash, out var id)) return InfoHashes.Invalid(infoHash);
        var bytes = await downloads.FetchTorrentAsync(id, cancellationToken);
        storage.SaveTorrent(id, bytes); // kept in Storage (if it is the torrent asked for): the next request and a download of it need no tracker
        var name = storage.Find(id)?.Name ?? id.ToString();
        return TypedResults.File(bytes, "application/x-bittorrent", name + ".torrent");
    }
}
