using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BitTorrent.ChordNode.Api;

/// <summary>The tracker's REST API under <c>/api/tracker</c>: catalog, torrents, swarms and peers.</summary>
public static class TrackerApi
{
    public const string TorrentContentType = "application/x-bittorrent";

    public static RouteGroupBuilder MapTrackerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/tracker").WithTags("Tracker");

        api.MapGet("/files", ListFiles)
            .WithName("ListTrackerFiles")
            .WithSummary("List published files")
            .WithDescription("The catalog, read from all partitions, with live seeder and leecher counts. `search` filters by a case-insensitive substring of the name.");

        api.MapGet("/files/{infoHash}", GetFile)
            .WithName("GetTrackerFile")
            .WithSummary("Get a file's metadata and live swarm")
            .WithDescription("Name, length, piece layout and the peers currently in the swarm. The info-hash is 40 hex digits.");

        api.MapGet("/files/{infoHash}/torrent", GetTorrent)
            .WithName("GetTorrent")
            .WithSummary("Download the .torrent")
            .WithDescription("The bencoded metainfo file as published.")
            .Produces(StatusCodes.Status200OK, contentType: TorrentContentType);

        api.MapPost("/files", Publish)
            .WithName("PublishTorrent")
            .WithSummary("Publish a .torrent")
            .WithDescription("The request body is the raw bencoded .torrent (any content type; `application/x-bittorrent` preferred). " +
                "Only single-file BEP 3 torrents are accepted. 201 when new, 200 when it was already published: publishing is idempotent.")
            .Accepts<byte[]>(TorrentContentType, "application/octet-stream");

        api.MapPut("/files/{infoHash}/swarm/{peerId:long}", JoinSwarm)
            .WithName("JoinSwarm")
            .WithSummary("Join or refresh a swarm")
            .WithDescription("Adds a registered peer to a published file's swarm as seeder or leecher. The entry expires unless repeated within the announce interval.");

        api.MapDelete("/files/{infoHash}/swarm/{peerId:long}", LeaveSwarm)
            .WithName("LeaveSwarm")
            .WithSummary("Leave a swarm")
            .WithDescription("Removes the peer from the file's swarm at once. Succeeds also when it was not a member.");

        api.MapGet("/peers", ListPeers)
            .WithName("ListPeers")
            .WithSummary("List registered peers")
            .WithDescription("Every peer that ever registered, with its last known addresses.");

        api.MapGet("/peers/{peerId:long}", GetPeer)
            .WithName("GetPeer")
            .WithSummary("Get a peer's addresses")
            .WithDescription("The transfer address and API url a peer last registered.");

        api.MapPost("/peers", RegisterPeer)
            .WithName("RegisterPeer")
            .WithSummary("Register a new peer")
            .WithDescription("Assigns a new numeric peer id (unique across the ring) and records the peer's addresses.");

        api.MapPut("/peers/{peerId:long}", UpdatePeer)
            .WithName("UpdatePeer")
            .WithSummary("Update a peer's addresses")
            .WithDescription("A peer calls this on every start. 404 means the id is unknown to the tracker, 409 that it is registered to another peer's API url: register again in both cases.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        return api;
    }

    public static async Task<Ok<IReadOnlyList<TrackerFileSummary>>> ListFiles(TrackerService tracker, string? search, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tracker.ListFilesAsync(search, cancellationToken));

    public static async Task<Results<Ok<TrackerFileDetails>, NotFoundProblem, BadRequestProblem>> GetFile(
        TrackerService tracker, string infoHash, CancellationToken cancellationToken)
    {
        if (!Id160.TryParse(infoHash, out var id)) return BadInfoHash(infoHash);
        return await tracker.GetFileAsync(id, cancellationToken) is { } file
            ? TypedResults.Ok(file)
            : FileNotFound(infoHash);
    }

    public static async Task<Results<FileContentHttpResult, NotFoundProblem, BadRequestProblem>> GetTorrent(
        TrackerService tracker, string infoHash, CancellationToken cancellationToken)
    {
        if (!Id160.TryParse(infoHash, out var id)) return BadInfoHash(infoHash);
        var torrent = await tracker.GetTorrentAsync(id, cancellationToken);
        if (torrent is null) return FileNotFound(infoHash);
        var fileName = TrackerService.TryRead(torrent, out var metainfo, out _) ? metainfo.Name + ".torrent" : id + ".torrent";
        return TypedResults.File(torrent, TorrentContentType, fileName);
    }

    public static async Task<Results<Created<PublishedTorrent>, Ok<PublishedTorrent>, BadRequestProblem, PayloadTooLargeProblem>> Publish(
        HttpRequest request, TrackerService tracker, CancellationToken cancellationToken)
    {
        var maxBytes = tracker.Options.MaxTorrentBytes;
        if (request.ContentLength > maxBytes) return TooLarge(maxBytes);
        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > maxBytes) return TooLarge(maxBytes);
            body.Write(buffer, 0, read);
        }

        PublishedTorrent published;
        try
        {
            published = await tracker.PublishAsync(body.ToArray(), cancellationToken);
        }
        catch (InvalidTorrentException e)
        {
            return new BadRequestProblem("Invalid torrent", e.Message);
        }
        return published.Created
            ? TypedResults.Created($"/api/tracker/files/{published.InfoHash}", published)
            : TypedResults.Ok(published);
    }

    public static async Task<Results<Ok<SwarmInfo>, NotFoundProblem, BadRequestProblem, ValidationProblem>> JoinSwarm(
        TrackerService tracker, string infoHash, long peerId, SwarmJoinRequest join, CancellationToken cancellationToken)
    {
        if (!Id160.TryParse(infoHash, out var id)) return BadInfoHash(infoHash);
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(join.Host)) errors["host"] = ["The host is required."];
        if (join.Port is < 1 or > 65535) errors["port"] = ["The port must be from 1 to 65535."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return await tracker.JoinSwarmAsync(id, peerId, join, cancellationToken) is { } swarm
            ? TypedResults.Ok(swarm)
            : FileNotFound(infoHash);
    }

    public static async Task<Results<NoContent, BadRequestProblem>> LeaveSwarm(
        TrackerService tracker, string infoHash, long peerId, CancellationToken cancellationToken)
    {
        if (!Id160.TryParse(infoHash, out var id)) return BadInfoHash(infoHash);
        await tracker.LeaveSwarmAsync(id, peerId, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<IReadOnlyList<PeerInfo>>> ListPeers(TrackerService tracker, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tracker.ListPeersAsync(cancellationToken));

    public static async Task<Results<Ok<PeerInfo>, NotFoundProblem>> GetPeer(TrackerService tracker, long peerId, CancellationToken cancellationToken) =>
        await tracker.GetPeerAsync(peerId, cancellationToken) is { } peer ? TypedResults.Ok(peer) : PeerNotFound(peerId);

    public static async Task<Results<Created<PeerInfo>, ValidationProblem>> RegisterPeer(
        TrackerService tracker, PeerRegistration registration, CancellationToken cancellationToken)
    {
        if (Validate(registration) is { } invalid) return invalid;
        var peer = await tracker.RegisterPeerAsync(registration, cancellationToken);
        return TypedResults.Created($"/api/tracker/peers/{peer.PeerId}", peer);
    }

    public static async Task<Results<Ok<PeerInfo>, NotFoundProblem, ProblemHttpResult, ValidationProblem>> UpdatePeer(
        TrackerService tracker, long peerId, PeerRegistration registration, CancellationToken cancellationToken)
    {
        if (Validate(registration) is { } invalid) return invalid;
        try
        {
            return await tracker.UpdatePeerAsync(peerId, registration, cancellationToken) is { } peer
                ? TypedResults.Ok(peer)
                : PeerNotFound(peerId);
        }
        catch (PeerIdTakenException e)
        {
            return TypedResults.Problem(title: "Peer id taken", detail: e.Message, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static ValidationProblem? Validate(PeerRegistration registration)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(registration.TransferHost)) errors["transferHost"] = ["The transfer host is required."];
        if (registration.TransferPort is < 1 or > 65535) errors["transferPort"] = ["The transfer port must be from 1 to 65535."];
        if (registration.ApiUrl is { } url
            && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            errors["apiUrl"] = ["The API url must be an absolute http(s) url."];
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : null;
    }

    private static BadRequestProblem BadInfoHash(string infoHash) =>
        new("Invalid info-hash", $"'{infoHash}' is not 40 hexadecimal digits.");

    private static NotFoundProblem FileNotFound(string infoHash) =>
        new("File not found", $"No torrent with info-hash {infoHash} was published.");

    private static NotFoundProblem PeerNotFound(long peerId) =>
        new("Peer not found", $"No peer with id {peerId} is registered.");

    private static PayloadTooLargeProblem TooLarge(int maxBytes) =>
        new("Torrent too large", $"A .torrent may be at most {maxBytes} bytes.");
}
