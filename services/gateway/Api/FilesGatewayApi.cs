using BitTorrent.Gateway.Routing;

namespace BitTorrent.Gateway.Api;

/// <summary>Maps <c>/files/{infoHash}</c> and <c>/files/{infoHash}/{**path}</c> to <see cref="ContentRelay"/>: any published file over HTTP, no key.</summary>
public static class FilesGatewayApi
{
    public static IEndpointRouteBuilder MapFilesGatewayApi(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("/files").WithTags("Files").RequireRateLimiting(GatewayRateLimits.Files);
        files.MapMethods("/{infoHash}", [HttpMethods.Get, HttpMethods.Head],
                (HttpContext context, string infoHash, ContentRelay relay) => relay.ServeAsync(context, infoHash, null))
            .WithName("GetFile").WithSummary("A published file's bytes")
            .WithDescription("Streams a single-file torrent's content from one of its live seeders, with range requests (206, or 416 past the end), " +
                "continuing from another seeder at the byte reached when one drops mid-response. No key: published content is public. " +
                "Served with `X-Content-Type-Options: nosniff`, `Content-Security-Policy: sandbox`, and as an attachment unless browsers only display its type. " +
                "404 for an unknown info-hash or a folder (name one of its files), 503 when no seeder is online or no chord node answers.")
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status206PartialContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        files.MapMethods("/{infoHash}/{**path}", [HttpMethods.Get, HttpMethods.Head],
                (HttpContext context, string infoHash, string? path, ContentRelay relay) => relay.ServeAsync(context, infoHash, path))
            .WithName("GetFileInFolder").WithSummary("One file of a published folder (or a file by its name)")
            .WithDescription("As `/files/{infoHash}`, for one file of a folder by its path inside it, with or without the folder's name in front; " +
                "a single-file torrent answers to its name. This is the BEP 19 web seed our peers put in their torrents' `url-list` " +
                "(`/files/{infoHash}/`, to which clients append the name and path).")
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status206PartialContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
