using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using Microsoft.AspNetCore.StaticFiles;

namespace BitTorrent.Peer.Api;

/// <summary>
/// The public, read-only content route: the bytes of files this peer holds whole and shares, for the gateway's
/// <c>/files/{infoHash}</c> relay (a web seed). Published content is public by nature (anyone with the torrent can
/// fetch it over the wire), so it needs no key; nothing else is reachable here: no listing, no partial downloads,
/// only paths the torrent lists. GET and HEAD, with ranges; the upload limit applies
/// (<see cref="PublicUploadThrottle"/>); <c>PeerAccessMiddleware</c> adds the safe-content headers and
/// <c>PeerRateLimits</c> its own per-address bucket.
/// </summary>
public static partial class PublicFilesApi
{
    public const string Prefix = "/public/files";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapPublicFilesApi(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup(Prefix).WithTags("Public files");
        files.MapMethods("/{infoHash}", [HttpMethods.Get, HttpMethods.Head], Content)
            .WithName("GetPublicFile").WithSummary("A shared file's bytes (no key)")
            .WithDescription("The bytes of a single-file torrent this peer holds whole and shares, with range requests, as an attachment unless browsers only display its type. No API key: published content is public. 404 for anything this peer does not share whole, and for a folder (no listing).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        files.MapMethods("/{infoHash}/{**path}", [HttpMethods.Get, HttpMethods.Head], ContentInFolder)
            .WithName("GetPublicFileInFolder").WithSummary("One file of a shared folder (no key)")
            .WithDescription("One file of a multi-file torrent this peer holds whole and shares, by its path inside the folder, with range requests. 404 for a path the torrent does not list.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static IResult Content(string infoHash, PeerStorage storage, HeldFiles held, PublicUploadThrottle throttle, HttpContext context, ILoggerFactory loggers)
    {
        if (!InfoHashes.TryParse(infoHash, out var id)) return InfoHashes.Invalid(infoHash);
        var found = HeldContent.Single(id, storage, held);
        return found.Problem ?? Serve(found.Path!, found.Name!, id.ToString(), throttle, context, loggers);
    }

    private static async Task<IResult> ContentInFolder(string infoHash, string? path, PeerStorage storage, HeldFiles held, TorrentRefetch torrents,
        PublicUploadThrottle throttle, HttpContext context, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!InfoHashes.TryParse(infoHash, out var id)) return InfoHashes.Invalid(infoHash);
        if (string.IsNullOrEmpty(path))
            return TypedResults.Problem(title: "No listing", detail: "Name a file of the folder: its path as the torrent lists it.", statusCode: 404);
        var found = await HeldContent.InFolderAsync(id, path, storage, held, torrents, cancellationToken);
        return found.Problem ?? Serve(found.Path!, found.Name!, id.ToString(), throttle, context, loggers);
    }

    private static IResult Serve(string path, string name, string infoHash, PublicUploadThrottle throttle, HttpContext context, ILoggerFactory loggers)
    {
        if (!ContentTypes.TryGetContentType(name, out var contentType)) contentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = $"inline; filename*=UTF-8''{Uri.EscapeDataString(name)}";
        LogServing(loggers.CreateLogger(typeof(PublicFilesApi)), context.Request.Method, infoHash, context.Request.Headers.Range.ToString(),
            context.Connection.RemoteIpAddress?.ToString());
        if (!throttle.IsLimited) return TypedResults.PhysicalFile(path, contentType, enableRangeProcessing: true);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        return TypedResults.Stream(new ThrottledReadStream(file, throttle), contentType, lastModified: File.GetLastWriteTimeUtc(path), enableRangeProcessing: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Public {Method} of {InfoHash}, Range {Range}, for {Client}")]
    private static partial void LogServing(ILogger logger, string method, string infoHash, string range, string? client);
}
