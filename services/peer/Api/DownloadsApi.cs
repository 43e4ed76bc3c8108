using BitTorrent.Peer.Access;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Volunteering;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BitTorrent.Peer.Api;

public static class DownloadsApi
{
    public static IEndpointRouteBuilder MapDownloadsApi(this IEndpointRouteBuilder app)
    {
        var downloads = app.MapGroup("api/downloads").WithTags("Downloads");
        downloads.MapPost("/", StartAsync)
            .WithName("StartDownload").WithSummary("Download a file")
            .WithDescription("Starts downloading a file from every peer that has it. Body: JSON `{ \"infoHash\": \"<40 hex>\" }` for a file in the catalog, `{ \"magnet\": \"magnet:?xt=urn:btih:…\" }` (its metadata taken from the tracker's DHT, or else fetched from the swarm's peers over BEP 9 while the download is in state `metadata`), or a multipart upload of a `.torrent` (field `torrent`). A JSON body with an info-hash may add `\"files\": [\"<path>\", …]` to fetch only those files of a folder (paths as the file's details list them; see `PUT /api/downloads/{id}/files`). 202 with the download, in state `waiting` when no peer shares it right now (it starts when one appears), or `queued` when `maxActiveDownloads` (see /api/settings) are already running. 409 when the file is already here or already downloading.")
            .Accepts<DownloadRequest>("application/json", "multipart/form-data")
            .DisableAntiforgery()
            .WithMetadata(BodyLimit.Torrent)
            .Produces<DownloadView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        downloads.MapGet("/", List)
            .WithName("GetDownloads").WithSummary("Downloads")
            .WithDescription("Every download, newest first, with state, progress, speed, peers and ETA. History survives restarts. Volunteer copies being fetched for the ring are not listed here: see /api/volunteer.");
        downloads.MapGet("/{id}", GetAsync)
            .WithName("GetDownload").WithSummary("One download, in detail")
            .WithDescription("State (metadata, downloading, waiting, queued, paused, completed, failed, cancelled), its own limits and its place in the queue, bytes done and total, pieces, speed, ETA and the error of a failed download, upload totals and ratio; " +
                "`peers`: each connected peer's address, client, download and upload rate, how much of the file it has and whether it is a seeder (their count is `peerCount`); " +
                "`pieces`: one letter per piece (m missing, r requested, v verified); `pieceSources`: one character per piece naming the source in `sources` that served it ('.' none). The id is the info-hash.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        downloads.MapPut("/{id}/order", SetOrderAsync)
            .WithName("SetDownloadOrder").WithSummary("Sequential or rarest-first order")
            .WithDescription("Body `{ \"sequential\": true }` fetches the pieces in file order (to play a file while it downloads), `false` rarest first again. Not kept across restarts. Pieces a reader of `api/files/{id}/content` waits for come first either way.")
            .Produces<DownloadView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        foreach (var (verb, describe) in new (string, string)[]
        {
            ("pause", "Pauses a running download; verified pieces are kept and still served."),
            ("resume", "Resumes a paused download where it stopped."),
            ("cancel", "Stops a download and removes its partial file."),
            ("retry", "Starts a failed or cancelled download again; verified pieces are not fetched again."),
            ("recheck", "Verifies every piece on disk again against the torrent; pieces that fail are fetched again (a completed download runs until they are back)."),
            ("reannounce", "Asks the tracker for peers now instead of at the next poll, and connects to the new ones."),
        })
        {
            downloads.MapPost($"/{{id}}/{verb}", (string id, DownloadManager manager, MagnetResolver magnets, CancellationToken cancellationToken) => SteerAsync(id, verb, manager, magnets, cancellationToken))
                .WithName(char.ToUpperInvariant(verb[0]) + verb[1..] + "Download")
                .WithSummary(char.ToUpperInvariant(verb[0]) + verb[1..] + " a download")
                .WithDescription(describe + " 409 when the download's state does not allow it.")
                .Produces<DownloadView>()
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status409Conflict);
        }
        downloads.MapPut("/{id}/files", SelectFilesAsync)
            .WithName("SelectDownloadFiles").WithSummary("Choose the files of a download")
            .WithDescription("Body: `{ \"files\": [\"<path>\", …] }` with paths as the file's details list them (`files[].path`). Only those files are fetched from now on: unwanted files are not downloaded (a piece they share with a wanted file is) and are not created on disk unless such a piece is written; bytes and progress count the chosen files. The download completes when every chosen file is verified, and runs again when more files are chosen later. The choice is kept across restarts. 400 for an empty list or a path the torrent does not have, 404 for no such download, 409 for a cancelled one.")
            .Accepts<FileSelectionRequest>("application/json")
            .WithMetadata(BodyLimit.Torrent)
            .Produces<DownloadView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> SelectFilesAsync(string id, HttpRequest request, DownloadManager manager, TorrentRefetch torrents, CancellationToken cancellationToken)
    {
        if (!InfoHashes.TryParse(id, out var infoHash)) return InfoHashes.Invalid(id);
        FileSelectionRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<FileSelectionRequest>(cancellationToken);
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }
        if (body?.Files is not { } paths)
            return TypedResults.Problem(title: "No files chosen", detail: "Send { \"files\": [\"<path>\", …] } with at least one path from the file's details.", statusCode: 400);
        if (manager.Find(infoHash) is null)
            return TypedResults.Problem(title: "No such download", detail: "There is no download of that file here.", statusCode: 404);
        if (await torrents.LoadAsync(infoHash, cancellationToken) is not { } torrent)
            return TypedResults.Problem(title: "Torrent not available", detail: "This peer's copy of the .torrent is damaged and the tracker has no sound one.", statusCode: 404);
        return TypedResults.Ok(DownloadView.Of(await manager.SelectFilesAsync(infoHash, FileChoice.Resolve(torrent, paths))));
    }

    private static async Task<IResult> StartAsync(HttpRequest request, DownloadManager manager, MagnetResolver magnets, VolunteerCopies volunteerCopies,
        CancellationToken cancellationToken)
    {
        Id160 infoHash;
        byte[]? torrent = null;
        IReadOnlyList<string>? files = null;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            var upload = form.Files["torrent"] ?? form.Files.FirstOrDefault();
            if (upload is null)
                return TypedResults.Problem(title: "No torrent", detail: "Send the .torrent as multipart form data in a field named 'torrent'.", statusCode: 400);
            if (upload.Length > 16 * 1024 * 1024)
                return TypedResults.Problem(title: "Torrent too large", detail: "A .torrent may be at most 16 MiB.", statusCode: 413);
            using var buffer = new MemoryStream();
            await upload.CopyToAsync(buffer, cancellationToken);
            torrent = buffer.ToArray();
            try
            {
                infoHash = TorrentMetainfo.Parse(torrent).InfoHash;
            }
            catch (InvalidTorrentException e)
            {
                return TypedResults.Problem(title: "Invalid torrent", detail: e.Message, statusCode: 400);
            }
        }
        else
        {
            DownloadRequest? body;
            try
            {
                body = await request.ReadFromJsonAsync<DownloadRequest>(cancellationToken);
            }
            catch (System.Text.Json.JsonException)
            {
                body = null;
            }
            files = body?.Files;
            if (body?.Magnet is { } magnet)
            {
                if (!MagnetLink.TryParse(magnet, out var link, out var problem))
                    return TypedResults.Problem(title: "Invalid magnet link", detail: $"That magnet link cannot be used: {problem}.", statusCode: 400);
                if (Adopted(link.InfoHash, manager, volunteerCopies) is { } adopted) return adopted;
                return Started(await magnets.StartAsync(link, cancellationToken));
            }
            else if (body?.InfoHash is null)
                return TypedResults.Problem(title: "No info-hash", detail: "Send { \"infoHash\": \"<40 hex digits>\" }, { \"magnet\": \"magnet:?xt=urn:btih:…\" } or a .torrent upload.", statusCode: 400);
            else if (!InfoHashes.TryParse(body.InfoHash, out infoHash)) return InfoHashes.Invalid(body.InfoHash);
        }
        return Adopted(infoHash, manager, volunteerCopies) ?? Started(await manager.StartAsync(infoHash, torrent, cancellationToken, files));
    }

    /// <summary>
    /// A file this peer fetches or holds as a volunteer copy becomes the user's download: it is not fetched twice, and it is
    /// never dropped from now on. Null when it is no volunteer copy.
    /// </summary>
    private static IResult? Adopted(Id160 infoHash, DownloadManager manager, VolunteerCopies volunteerCopies)
    {
        if (!volunteerCopies.Adopt(infoHash, Storage.LibraryOrigin.Downloaded)) return null;
        return manager.Find(infoHash) is { } download
            ? Started(download)
            : TypedResults.Problem(title: "File already exists", detail: "This peer held that file as a volunteer copy: it is in your files now.", statusCode: 409);
    }

    private static Accepted<DownloadView> Started(DownloadSnapshot snapshot)
    {
        var view = DownloadView.Of(snapshot);
        return TypedResults.Accepted($"api/downloads/{view.Id}", view);
    }

    private static Ok<IReadOnlyList<DownloadView>> List(TransferEngine engine, VolunteerCopies volunteerCopies) =>
        TypedResults.Ok<IReadOnlyList<DownloadView>>(engine.GetDownloads().Where(d => !volunteerCopies.Contains(d.InfoHash)).Select(DownloadView.Of).ToList());

    private static async Task<IResult> GetAsync(string id, TransferEngine engine)
    {
        if (!InfoHashes.TryParse(id, out var infoHash)) return InfoHashes.Invalid(id);
        if (engine.GetDownload(infoHash) is not { } snapshot) return NoSuchDownload();
        // A magnet link still fetching its metadata has no pieces and no download peers yet.
        if (snapshot.State == DownloadState.Metadata) return TypedResults.Ok(DownloadDetailsView.Of(new DownloadDetails(snapshot, [], "", "", [])));
        try
        {
            return TypedResults.Ok(DownloadDetailsView.Of(await engine.GetDownloadDetailsAsync(infoHash)));
        }
        catch (KeyNotFoundException)
        {
            return NoSuchDownload(); // removed meanwhile
        }
    }

    private static async Task<IResult> SetOrderAsync(string id, DownloadOrder? order, TransferEngine engine)
    {
        if (!InfoHashes.TryParse(id, out var infoHash)) return InfoHashes.Invalid(id);
        if (order?.Sequential is not { } sequential)
            return TypedResults.Problem(title: "No order", detail: "Send { \"sequential\": true } for file order or { \"sequential\": false } for rarest first.", statusCode: 400);
        if (engine.GetDownload(infoHash) is null) return NoSuchDownload();
        try
        {
            return TypedResults.Ok(DownloadView.Of(await engine.SetSequentialAsync(infoHash, sequential)));
        }
        catch (KeyNotFoundException)
        {
            return NoSuchDownload();
        }
    }

    private static ProblemHttpResult NoSuchDownload() =>
        TypedResults.Problem(title: "No such download", detail: "There is no download of that file here.", statusCode: 404);

    private static async Task<IResult> SteerAsync(string id, string verb, DownloadManager manager, MagnetResolver magnets, CancellationToken cancellationToken)
    {
        if (!InfoHashes.TryParse(id, out var infoHash)) return InfoHashes.Invalid(id);
        // A magnet link's download without its torrent yet is steered where its metadata is fetched.
        if (magnets.Handles(infoHash)) return TypedResults.Ok(DownloadView.Of(magnets.Steer(infoHash, verb)));
        var snapshot = verb switch
        {
            "pause" => await manager.PauseAsync(infoHash),
            "resume" => await manager.ResumeAsync(infoHash),
            "cancel" => await manager.CancelAsync(infoHash),
            "recheck" => await manager.RecheckAsync(infoHash, cancellationToken),
            "reannounce" => await manager.ReannounceAsync(infoHash, cancellationToken),
            _ => await manager.RetryAsync(infoHash),
        };
        return TypedResults.Ok(DownloadView.Of(snapshot));
    }
}
