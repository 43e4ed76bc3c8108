using BitTorrent.Peer.Access;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Transfer;
using BitTorrent.Peer.Volunteering;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Torrents;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Api;

public static class FilesApi
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("api/files").WithTags("Files");
        files.MapGet("/", List)
            .WithName("GetMyFiles").WithSummary("My files")
            .WithDescription("Files this peer holds whole and serves: those it published and those it downloaded, newest first, optionally filtered by a case-insensitive `search` in the name. Volunteer copies (files held for the ring) are not listed here: see /api/volunteer.");
        files.MapPost("/", PublishAsync)
            .WithName("PublishFile").WithSummary("Publish a file or a folder")
            .WithDescription("Multipart upload of one or more `file` parts. One part whose filename has no folder makes a single-file torrent. Parts whose filenames carry relative paths (`photos/2026/a.jpg`, as browsers send for a picked folder) make a multi-file torrent named by the optional form field `name` (default: their common top folder); every path segment is checked. The files are copied into Storage, hashed into SHA-1 pieces, the BEP 3 .torrent made and put in the DHT, and seeded at once. The optional form field `copies` (1 to 16, default 1) asks the ring to keep that many seeders: volunteers fetch copies while fewer are online, so the file stays available when this peer is gone. 201 for a new file; 200 when the same content was already published here; 400 for `copies` out of range.")
            .DisableAntiforgery()
            .WithMetadata(BodyLimit.Upload)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        files.MapPut("/{infoHash}/copies", SetCopiesAsync)
            .WithName("SetFileCopies").WithSummary("How many copies the ring keeps")
            .WithDescription("Body `{ \"copies\": 3 }` (1 to 16): the target number of seeders of a file this peer published. Above the seeders online, the ring asks volunteers to fetch copies; below, volunteer copies beyond it are dropped after a grace time (never the publisher's or a downloader's). 204; 400 out of range; 403 when this peer did not publish it; 404 when the catalog does not know it.")
            .Accepts<CopiesRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        files.MapGet("/{infoHash}", Details)
            .WithName("GetFileDetails").WithSummary("Details of a file or folder")
            .WithDescription("Name, size, piece size, progress and the files (path, size, where to open it) of a torrent held here or being downloaded.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        files.MapDelete("/{infoHash}", RemoveAsync)
            .WithName("RemoveFile").WithSummary("Remove a file or folder")
            .WithDescription("Stops sharing it (leaves the swarm), ends a running download of it, removes it from this peer's files, and deletes its data when `deleteData=true` (kept on disk otherwise). The catalog entry stays unless `unpublish=true`: then, first, the tracker removes it from the catalog with this peer's token (only the peer that published the file may: 403 otherwise, and nothing is removed). 204, or 404 when this peer neither holds nor downloads it.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        files.MapGet("/{infoHash}/content", Content)
            .WithName("OpenFile").WithSummary("Open a file")
            .WithDescription("The file's bytes, inline (so a browser shows what it can), with range requests. While it downloads, a range whose pieces are verified is answered at once (206); other pieces are fetched first and sent as they are verified (503 with Retry-After when the first does not arrive within `Peer:StreamingWait`, 30 s by default). A folder's files open at `content/{path}`.");
        files.MapGet("/{infoHash}/content/{**path}", ContentInFolder)
            .WithName("OpenFileInFolder").WithSummary("Open one file of a folder")
            .WithDescription("One file of a multi-file torrent by its path inside the folder (as `files[].path` in the details), inline, with range requests, also while it downloads (as `content`). 404 when no such file is in it.");
        files.MapGet("/{infoHash}/torrent", TorrentAsync)
            .WithName("GetTorrent").WithSummary("The .torrent of a file")
            .WithDescription("The BEP 3 .torrent (application/x-bittorrent) of a file this peer holds, or of any file in the catalog (fetched from the tracker and kept in Storage).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static Ok<IReadOnlyList<FileView>> List(string? search, HeldFiles held, MagnetLinks links, VolunteerCopies volunteerCopies)
    {
        var files = held.All()
            .Where(i => !volunteerCopies.Contains(i.InfoHash))
            .Where(i => string.IsNullOrWhiteSpace(search) || i.Name.Contains(search.Trim(), StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(i => i.AddedAt)
            .Select(i => FileView.Of(i, links))
            .ToList();
        return TypedResults.Ok<IReadOnlyList<FileView>>(files);
    }

    private static async Task<Results<Created<FileView>, Ok<FileView>, ValidationProblem, ProblemHttpResult>> PublishAsync(
        HttpRequest request, Publisher publisher, MagnetLinks links, VolunteerCopies volunteerCopies, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
            return TypedResults.Problem(title: "No file", detail: "Send the file (or a folder's files) as multipart form data in fields named 'file'.", statusCode: 400);
        var form = await request.ReadFormAsync(cancellationToken);
        var parts = form.Files.GetFiles("file");
        if (parts.Count == 0)
            return TypedResults.Problem(title: "No file", detail: "Send the file (or a folder's files) as multipart form data in fields named 'file'.", statusCode: 400);
        var copies = CopiesRequest.Min;
        if (form["copies"].FirstOrDefault() is { Length: > 0 } copiesText && !int.TryParse(copiesText, System.Globalization.NumberStyles.None, null, out copies))
            copies = -1; // not a whole number: refused below with the range
        if (new CopiesRequest(copies).Validate() is { Count: > 0 } invalid)
            return TypedResults.ValidationProblem(invalid, title: "Invalid copies",
                detail: $"Copies must be from {CopiesRequest.Min} to {CopiesRequest.Max}; nothing was published.");
        var name = form["name"].FirstOrDefault();
        PublishOutcome outcome;
        if (parts.Count == 1 && string.IsNullOrWhiteSpace(name) && !IsRelativePath(parts[0].FileName))
        {
            await using var content = parts[0].OpenReadStream();
            outcome = await publisher.PublishAsync(content, parts[0].FileName, cancellationToken, copies);
        }
        else
        {
            var streams = parts.Select(p => (p.OpenReadStream(), (string?)p.FileName)).ToList();
            try
            {
                outcome = await publisher.PublishFolderAsync(streams, name, cancellationToken, copies);
            }
            finally
            {
                foreach (var (stream, _) in streams) await stream.DisposeAsync();
            }
        }
        // The same content held as a volunteer copy is the user's from now on.
        var item = volunteerCopies.Adopt(outcome.Item.InfoHash, LibraryOrigin.Published) ? outcome.Item with { Origin = LibraryOrigin.Published } : outcome.Item;
        var view = FileView.Of(item, links);
        return outcome.Created ? TypedResults.Created(view.ContentUrl, view) : TypedResults.Ok(view);
    }

    /// <summary>
    /// A clean relative path ("photos/a.jpg"): one file of a folder. Anything else with separators (a full
    /// path some browsers send, a path that climbs) names a single file by its last segment, as ever.
    /// </summary>
    private static bool IsRelativePath(string fileName)
    {
        var path = fileName.Replace('\\', '/');
        return path.Contains('/') && !path.StartsWith('/') && !path.Contains(':') && SafeName.SanitizePath(path.Split('/')) is not null;
    }

    private static async Task<IResult> SetCopiesAsync(string infoHash, HttpRequest request, CopiesTarget target, CancellationToken cancellationToken)
    {
        if (!InfoHashes.TryParse(infoHash, out var id)) return InfoHashes.Invalid(infoHash);
        CopiesRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<CopiesRequest>(cancellationToken);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            body = null;
        }
        if (body is null)
            return TypedResults.Problem(title: "Invalid copies", detail: $"Send JSON such as {{ \"copies\": 3 }}: a whole number from {CopiesRequest.Min} to {CopiesRequest.Max}.", statusCode: 400);
        if (body.Validate() is { Count: > 0 } invalid) return TypedResults.ValidationProblem(invalid, title: "Invalid copies");
        await target.SetAsync(id, body.Copies, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<FileDetailsView>, ProblemHttpResult>> Details(string infoHash, PeerStorage storage, HeldFiles held,
        TransferEngine engine, MagnetLinks links, TorrentRefetch torrents, CancellationToken cancellationToken)
    {
        if (!InfoHashes.TryParse(infoHash, out var id)) return (ProblemHttpResult)InfoHashes.Invalid(infoHash);
        var item = held.Find(id);
        var download = engine.IsStarted ? engine.GetDownload(id) : null;
        var torrentPath = storage.TorrentPath(id);
        if ((item is null && download is null) || !File.Exists(torrentPath))
            return TypedResults.Problem(title: "File not available", detail: "This peer neither holds nor downloads that file.", statusCode: 404);
        // A torn copy (a crash, a bad disk) is fetched again from the tracker rather than failing the request.
        if (await torrents.LoadAsync(id, cancellationToken) is not { } torrent)
            return TypedResults.Problem(title: "Torrent not available", detail: "This peer's copy of the .torrent is damaged and the tracker has no sound one.", statusCode: 404);
        IReadOnlyList<(bool, long)>? progress = null;
        if (item is null && download is not null)
        {
            try
            {
                progress = await engine.GetFileProgressAsync(id);
            }
            catch (KeyNotFoundException)
            {
                progress = null; // removed meanwhile: the files are shown without progress
            }
        }
        return TypedResults.Ok(FileDetailsView.Of(torrent, item, download, MagnetLink.Create(id, torrent.Name, torrent.Announce, links.AnnounceUrl).ToString(), progress));
    }

    private static async Task<IResult> RemoveAsync(string infoHash, bool? deleteData, bool? unpublish, HeldFiles held, TransferEngine engine,
        FileRemover remover, Unpublisher unpublisher, CancellationToken cancellationToken)
    {
        if (!InfoHashes.TryParse(infoHash, out var id)) return InfoHashes.Invalid(infoHash);
        if (unpublish is true)
        {
            if (held.Find(id) is null && (!engine.IsStarted || engine.GetDownload(id) is null))
                return TypedResults.Problem(title: "No such file", detail: "This peer neither holds nor downloads that file.", statusCode: 404);
            await unpublisher.UnpublishAsync(id, cancellationToken);
        }
        await remover.RemoveAsync(id, deleteData ?? false, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Content(string infoHash, PeerStorage storage, HeldFiles held, TransferEngine engine, TorrentRefetch torrents,
        IOptions<PeerOptions> options, HttpContext context, CancellationToken cancellationToken)
    {
        if (!InfoHashes.TryParse(infoHash, out var id)) return InfoHashes.Invalid(infoHash);
        if (held.Find(id) is null && Downloading(engine, id) is { } download)
        {
            if (await torrents.LoadAsync(id, cancellationToken) is not { } torrent)
                return TypedResults.Problem(title: "Torrent not available", detail: "This peer's copy of the .torrent is damaged and the tracker has no sound one.", statusCode: 404);
            if (torrent.IsMultiFile)
                return TypedResults.Problem(title: "A folder", detail: $"{torrent.Name} is a folder: open one of its files at content/{{path}} (see the file's details).", statusCode: 404);
            return await StreamingContent.ServeAsync(context, engine, options.Value.StreamingWait, id, torrent, download.TargetPath, 0, torrent.Length, torrent.Name);
        }
        var found = HeldContent.Single(id, storage, held);
        return found.Problem ?? Serve(found.Path!, found.Name!, context);
    }

    private static async Task<IResult> ContentInFolder(string infoHash, string path, PeerStorage storage, HeldFiles held, TorrentRefetch torrents,
        TransferEngine engine, IOptions<PeerOptions> options, HttpContext context, CancellationToken cancellationToken)
    {
        if (!InfoHashes.TryParse(infoHash, out var id)) return InfoHashes.Invalid(infoHash);
        if (held.Find(id) is null && Downloading(engine, id) is { } download)
            return await StreamFromFolderAsync(id, path, download, engine, options.Value.StreamingWait, torrents, context, cancellationToken);
        var found = await HeldContent.InFolderAsync(id, path, storage, held, torrents, cancellationToken);
        return found.Problem ?? Serve(found.Path!, found.Name!, context);
    }

    /// <summary>A download of this file that has its file on disk (not cancelled), if one runs here.</summary>
    private static DownloadSnapshot? Downloading(TransferEngine engine, Shared.Identifiers.Id160 id) =>
        engine.IsStarted && engine.GetDownload(id) is { State: not DownloadState.Cancelled } download ? download : null;

    private static async Task<IResult> StreamFromFolderAsync(Shared.Identifiers.Id160 id, string path, DownloadSnapshot download, TransferEngine engine,
        TimeSpan wait, TorrentRefetch torrents, HttpContext context, CancellationToken cancellationToken)
    {
        if (await torrents.LoadAsync(id, cancellationToken) is not { } torrent)
            return TypedResults.Problem(title: "Torrent not available", detail: "This peer's copy of the .torrent is damaged and the tracker has no sound one.", statusCode: 404);
        var local = ContentFiles.PathsOf(torrent, download.TargetPath);
        for (var i = 0; i < torrent.Files.Count; i++)
        {
            if (FileDetailsView.PathOf(torrent.Files[i]) != path) continue;
            return await StreamingContent.ServeAsync(context, engine, wait, id, torrent, local[i], torrent.Layout.FileOffset(i), torrent.Files[i].Length,
                Path.GetFileName(local[i]));
        }
        return TypedResults.Problem(title: "File not available", detail: $"{torrent.Name} has no file '{path}'.", statusCode: 404);
    }

    private static IResult Serve(string path, string name, HttpContext context)
    {
        if (!ContentTypes.TryGetContentType(name, out var contentType)) contentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = $"inline; filename*=UTF-8''{Uri.EscapeDataString(name)}";
        return TypedResults.PhysicalFile(path, contentType, enableRangeProcessing: true);
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
