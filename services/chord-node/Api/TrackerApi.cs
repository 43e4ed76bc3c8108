using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BitTorrent.ChordNode.Api;

/// <summary>The tracker's REST API under <c>/api/tracker</c>: catalog, torrents, swarms and peers.</summary>
public static class TrackerApi
{
    public const string TorrentContentType = "application/x-bittorrent";

    public static RouteGroupBuilder MapTrackerApi(this IEndpointRouteBuilder app)
    {
        var maxTorrentBytes = app.ServiceProvider.GetRequiredService<IOptions<TrackerOptions>>().Value.MaxTorrentBytes;
        // Every route is rate-limited per client address; JSON bodies are small, and a larger body is refused
        // (413) while it streams, before anything buffers it.
        var api = app.MapGroup("api/tracker").WithTags("Tracker")
            .RequireRateLimiting(TrackerRateLimits.Public)
            .WithMetadata(new RequestBodyLimit(RequestBodyLimit.Json));

        api.MapGet("/files", ListFiles)
            .WithName("ListTrackerFiles")
            .WithSummary("List published files")
            .WithDescription("The catalog, read from all partitions, with online seeder and leecher counts (peers that announced within the announce interval and a quarter, at least 5 s more) and the date each file was first published " +
                "(`published`; none for files published before dates were kept). `search` filters by a case-insensitive substring of the name; " +
                "`sort` orders by `name` (the default), `size`, `seeders` or `published`, `order` is `asc` (the default) or `desc`; ties go by name. " +
                "Without `page` and `pageSize` the answer is the array of every matching file. With either, it is one page, an object: " +
                $"`items`, `total` (how many match in all), `page` (from 1), `pageSize` (default {CatalogQuery.DefaultPageSize}, at most " +
                $"{CatalogQuery.MaxPageSize}), `sort` and `order`. Files without a date come last by date in either order. 400 for a field out of range. " +
                "Each row has `available`: false when no seeder was seen for `Tracker:StaleAfter` (default 7 days; a stale entry); " +
                "`available=true` lists only available files.")
            .Produces<IReadOnlyList<TrackerFileSummary>>()
            .Produces<TrackerFilePage>();

        api.MapGet("/files/{infoHash}", GetFile)
            .WithName("GetTrackerFile")
            .WithSummary("Get a file's metadata and live swarm")
            .WithDescription("Name, length, piece layout, the peers currently in the swarm, the publisher's target copies and when the file was first " +
                "published (1 and none for a file no longer in the catalog). The info-hash is 40 hex digits.");

        api.MapGet("/files/{infoHash}/torrent", GetTorrent)
            .WithName("GetTorrent")
            .WithSummary("Download the .torrent")
            .WithDescription("The bencoded metainfo file as published.")
            .Produces(StatusCodes.Status200OK, contentType: TorrentContentType);

        api.MapPost("/files", Publish)
            .WithName("PublishTorrent")
            .WithSummary("Publish a .torrent")
            .WithDescription("The request body is the raw bencoded .torrent (any content type; `application/x-bittorrent` preferred), " +
                $"at most {maxTorrentBytes} bytes. Only single-file BEP 3 torrents are accepted. 201 when new, 200 when it was already published: " +
                "publishing is idempotent. Optional: a registered peer's token (`Authorization: Bearer <token>`) records that peer as the " +
                "publisher of a new file, so it may remove the file later; a token that is not a registered peer's own is refused (403). " +
                $"`copies` ({CopiesRequest.Min} to {CopiesRequest.Max}, default 1; 400 otherwise) is the target number of seeders: above 1 the ring asks " +
                "volunteers to fetch copies while fewer seed it. It needs the token (401 without one); it is kept for a new file, and for a file " +
                "published again by its own publisher.")
            .WithMetadata(new RequestBodyLimit(maxTorrentBytes + 16 * 1024))
            .Accepts<byte[]>(TorrentContentType, "application/octet-stream");

        api.MapDelete("/files/{infoHash}", RemoveFile)
            .WithName("RemoveTrackerFile")
            .WithSummary("Remove a file from the catalog")
            .WithDescription("Only the peer that published the file with its token may: `Authorization: Bearer <token>`. The file leaves the catalog and the " +
                "name index; its .torrent stays readable by info-hash for clients that hold it. 401 without a token, 403 with another's (or for a file " +
                "published without one), and nothing changes.")
            .RequirePeerToken();

        api.MapPut("/files/{infoHash}/copies", SetCopies)
            .WithName("SetTrackerFileCopies")
            .WithSummary("Change a file's target copies")
            .WithDescription($"Body `{{ \"copies\": n }}`, {CopiesRequest.Min} to {CopiesRequest.Max} (400 otherwise). Only the peer that published the file " +
                "with its token may (`Authorization: Bearer <token>`): 401 without a token, 403 with another's (or for a file published without one), " +
                "404 for a file not in the catalog. Raising it makes volunteers fetch copies; lowering it makes volunteers drop theirs once the " +
                "surplus has lasted `Tracker:VolunteerDropGrace`.")
            .RequirePeerToken();

        api.MapPost("/volunteers/{peerId:long}/assignment", AssignVolunteer)
            .WithName("GetVolunteerAssignment")
            .WithSummary("Ask for volunteer work")
            .WithDescription("A volunteering peer reports, with its token, its free room (`freeBytes`), how many fetches it may start (`freeSlots`) " +
                "and the info-hashes of the volunteer copies it holds (`held`) and fetches (`fetching`). The answer lists files to fetch (each claimed " +
                "for it until `leaseUntil`, renewed while it reports the file; the files below their target copies, volunteers with the most free room " +
                "first) and copies to drop (files above their target for `Tracker:VolunteerDropGrace`, least free room first), and `pollAfterSeconds`. " +
                $"The body is at most {VolunteerReport.MaxBodyBytes} bytes (413 above) with at most {VolunteerReport.MaxHeld} info-hashes per list (400). " +
                "401 without a token, 403 with another's, 404 when the tracker does not know the id.")
            .WithMetadata(new RequestBodyLimit(VolunteerReport.MaxBodyBytes))
            .RequirePeerToken();

        api.MapPut("/files/{infoHash}/swarm/{peerId:long}", JoinSwarm)
            .WithName("JoinSwarm")
            .WithSummary("Join or refresh a swarm")
            .WithDescription("Adds a registered peer to a published file's swarm as seeder or leecher, with that peer's token (`Authorization: Bearer <token>`). " +
                "The entry expires unless repeated within the announce interval. 401 without a token, 403 with another's; 409 when the swarm is full.")
            .RequirePeerToken()
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapDelete("/files/{infoHash}/swarm/{peerId:long}", LeaveSwarm)
            .WithName("LeaveSwarm")
            .WithSummary("Leave a swarm")
            .WithDescription("Removes the peer from the file's swarm at once, with that peer's token. Succeeds also when it was not a member; 401 without a token, 403 with another's.")
            .RequirePeerToken();

        api.MapGet("/peers", ListPeers)
            .WithName("ListPeers")
            .WithSummary("List registered peers")
            .WithDescription("Every peer that ever registered, with its last known addresses, when it last refreshed its registration (`lastSeen`) " +
                "and its last status report (`status`: active downloads, rates, files shared, version; null when it sent none within two of its refresh periods).");

        api.MapGet("/peers/{peerId:long}", GetPeer)
            .WithName("GetPeer")
            .WithSummary("Get a peer's addresses")
            .WithDescription("The transfer address and API url a peer last registered, and its last status report.");

        api.MapPost("/peers", RegisterPeer)
            .WithName("RegisterPeer")
            .WithSummary("Register a new peer")
            .WithDescription("Assigns a new numeric peer id (unique across the ring), records the peer's addresses and returns its secret token, " +
                "shown only this once (the tracker keeps its SHA-256). The transfer host is an IP address or host name and the API url an absolute " +
                "http(s) url; neither may be link-local, a cloud metadata address, multicast or unspecified.");

        api.MapPut("/peers/{peerId:long}", UpdatePeer)
            .WithName("UpdatePeer")
            .WithSummary("Update a peer's addresses")
            .WithDescription("A peer calls this on every start, with its token (`Authorization: Bearer <token>`). 401 without a token, 403 with another's, " +
                "404 when the tracker does not know the id: nothing changes, and the peer registers again.")
            .RequirePeerToken();

        api.MapPut("/peers/{peerId:long}/status", ReportStatus)
            .WithName("ReportPeerStatus")
            .WithSummary("Report a peer's public status")
            .WithDescription("A peer sends this with each registration refresh, with its token (`Authorization: Bearer <token>`): active downloads, " +
                "total download and upload rates (bytes per second), files shared, its version and its refresh period in seconds. The tracker keeps " +
                "it for two refresh periods and lists it with the peer in `GET /api/tracker/peers`, so a peer with a status was seen recently. " +
                $"The body is at most {PeerStatusReport.MaxBodyBytes} bytes (413 above) and every field is range-checked (400). 401 without a token, " +
                "403 with another's, 404 when the tracker does not know the id: nothing changes.")
            .WithMetadata(new RequestBodyLimit(PeerStatusReport.MaxBodyBytes))
            .RequirePeerToken()
            .ProducesProblem(StatusCodes.Status409Conflict);

        return api;
    }

    public static async Task<Results<Ok<IReadOnlyList<TrackerFileSummary>>, Ok<TrackerFilePage>, ValidationProblem>> ListFiles(
        TrackerService tracker, string? search, string? sort, string? order, int? page, int? pageSize, bool? available, CancellationToken cancellationToken)
    {
        if (!CatalogQuery.TryCreate(search, sort, order, page, pageSize, out var query, out var errors)) return TypedResults.ValidationProblem(errors);
        var result = await tracker.QueryFilesAsync(query with { AvailableOnly = available is true }, cancellationToken);
        return page is null && pageSize is null ? TypedResults.Ok(result.Items) : TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<PeerStatus>, NotFoundProblem, ValidationProblem, UnauthorizedProblem, ForbiddenProblem, ProblemHttpResult>> ReportStatus(
        HttpRequest request, TrackerService tracker, long peerId, PeerStatusReport report, CancellationToken cancellationToken)
    {
        var errors = report.Validate();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var (access, status) = await tracker.ReportStatusAsync(peerId, report, PeerTokenAuth.Token(request), cancellationToken);
        return access switch
        {
            PeerAccess.Granted => TypedResults.Ok(status!),
            PeerAccess.NoToken => new UnauthorizedProblem("Reporting a peer's status"),
            PeerAccess.Unknown => PeerNotFound(peerId),
            PeerAccess.Full => TypedResults.Problem(title: "Too many statuses",
                detail: "The tracker holds as many peer statuses as it keeps; this one will be taken once others expire.", statusCode: StatusCodes.Status409Conflict),
            _ => new ForbiddenProblem("Reporting a peer's status"),
        };
    }

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

    public static async Task<Results<Created<PublishedTorrent>, Ok<PublishedTorrent>, BadRequestProblem, PayloadTooLargeProblem, UnauthorizedProblem,
        ForbiddenProblem>> Publish(HttpRequest request, TrackerService tracker, string? copies, CancellationToken cancellationToken)
    {
        int? target = null;
        if (copies is not null)
        {
            var parsed = int.TryParse(copies, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
            var errors = new CopiesRequest(parsed).Validate();
            if (errors.Count > 0) return new BadRequestProblem("Invalid copies", $"'{copies}': {errors["copies"][0]}");
            target = parsed;
            if (parsed > 1 && request.Headers.Authorization.Count == 0) return new UnauthorizedProblem("Asking for copies");
        }
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

        // A token is optional here, but one that is sent must be a registered peer's own.
        long? publisher = null;
        if (request.Headers.Authorization.Count > 0)
        {
            publisher = PeerTokenAuth.Token(request) is { } token ? await tracker.TokenOwnerAsync(token, cancellationToken) : null;
            if (publisher is null) return new ForbiddenProblem("Publishing as a peer");
        }

        PublishedTorrent published;
        try
        {
            published = await tracker.PublishAsync(body.ToArray(), publisher, target, cancellationToken);
        }
        catch (InvalidTorrentException e)
        {
            return new BadRequestProblem("Invalid torrent", e.Message);
        }
        return published.Created
            ? TypedResults.Created($"/api/tracker/files/{published.InfoHash}", published)
            : TypedResults.Ok(published);
    }

    public static async Task<Results<NoContent, NotFoundProblem, BadRequestProblem, UnauthorizedProblem, ForbiddenProblem>> RemoveFile(
        HttpRequest request, TrackerService tracker, string infoHash, CancellationToken cancellationToken)
    {
        if (!Id160.TryParse(infoHash, out var id)) return BadInfoHash(infoHash);
        return await tracker.RemoveFileAsync(id, PeerTokenAuth.Token(request), cancellationToken) switch
        {
            PeerAccess.Granted => TypedResults.NoContent(),
            PeerAccess.NoToken => new UnauthorizedProblem("Removing a file"),
            PeerAccess.Unknown => FileNotFound(infoHash),
            _ => new ForbiddenProblem("Removing a file"),
        };
    }

    public static async Task<Results<NoContent, NotFoundProblem, BadRequestProblem, ValidationProblem, UnauthorizedProblem, ForbiddenProblem>> SetCopies(
        HttpRequest request, TrackerService tracker, string infoHash, CopiesRequest body, CancellationToken cancellationToken)
    {
        if (!Id160.TryParse(infoHash, out var id)) return BadInfoHash(infoHash);
        var errors = body.Validate();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return await tracker.SetCopiesAsync(id, body.Copies, PeerTokenAuth.Token(request), cancellationToken) switch
        {
            PeerAccess.Granted => TypedResults.NoContent(),
            PeerAccess.NoToken => new UnauthorizedProblem("Changing a file's copies"),
            PeerAccess.Unknown => FileNotFound(infoHash),
            _ => new ForbiddenProblem("Changing a file's copies"),
        };
    }

    public static async Task<Results<Ok<VolunteerAssignment>, NotFoundProblem, ValidationProblem, UnauthorizedProblem, ForbiddenProblem>> AssignVolunteer(
        HttpRequest request, VolunteerCoordinator coordinator, long peerId, VolunteerReport report, CancellationToken cancellationToken)
    {
        var errors = report.Validate();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var (access, assignment) = await coordinator.AssignAsync(peerId, report, PeerTokenAuth.Token(request), cancellationToken);
        return access switch
        {
            PeerAccess.Granted => TypedResults.Ok(assignment!),
            PeerAccess.NoToken => new UnauthorizedProblem("Asking for volunteer work"),
            PeerAccess.Unknown => PeerNotFound(peerId),
            _ => new ForbiddenProblem("Asking for volunteer work"),
        };
    }

    public static async Task<Results<Ok<SwarmInfo>, NotFoundProblem, ValidationProblem, UnauthorizedProblem, ForbiddenProblem, ProblemHttpResult>> JoinSwarm(
        HttpRequest request, TrackerService tracker, string infoHash, long peerId, SwarmJoinRequest join, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Id160.TryParse(infoHash, out var id)) errors["infoHash"] = [$"'{infoHash}' is not 40 hexadecimal digits."];
        if (PeerAddressRules.HostRefusal(join.Host) is { } refusal) errors["host"] = [$"Invalid host: {refusal}."];
        if (join.Port is < 1 or > 65535) errors["port"] = ["The port must be from 1 to 65535."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var (access, swarm) = await tracker.JoinSwarmAsync(id, peerId, join, PeerTokenAuth.Token(request), cancellationToken);
        return access switch
        {
            PeerAccess.Granted => TypedResults.Ok(swarm!),
            PeerAccess.NoToken => new UnauthorizedProblem("Joining a swarm"),
            PeerAccess.WrongToken => new ForbiddenProblem("Joining a swarm"),
            PeerAccess.Full => TypedResults.Problem(title: "Swarm full",
                detail: $"This swarm already has {tracker.Options.MaxPeersPerSwarm} live peers; retry later.", statusCode: StatusCodes.Status409Conflict),
            _ => FileNotFound(infoHash),
        };
    }

    public static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, UnauthorizedProblem, ForbiddenProblem>> LeaveSwarm(
        HttpRequest request, TrackerService tracker, string infoHash, long peerId, CancellationToken cancellationToken)
    {
        if (!Id160.TryParse(infoHash, out var id)) return BadInfoHash(infoHash);
        return await tracker.LeaveSwarmAsync(id, peerId, PeerTokenAuth.Token(request), cancellationToken) switch
        {
            PeerAccess.Granted => TypedResults.NoContent(),
            PeerAccess.NoToken => new UnauthorizedProblem("Leaving a swarm"),
            PeerAccess.Unknown => PeerNotFound(peerId),
            _ => new ForbiddenProblem("Leaving a swarm"),
        };
    }

    public static async Task<Ok<IReadOnlyList<PeerInfo>>> ListPeers(TrackerService tracker, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tracker.ListPeersAsync(cancellationToken));

    public static async Task<Results<Ok<PeerInfo>, NotFoundProblem>> GetPeer(TrackerService tracker, long peerId, CancellationToken cancellationToken) =>
        await tracker.GetPeerAsync(peerId, cancellationToken) is { } peer ? TypedResults.Ok(peer) : PeerNotFound(peerId);

    public static async Task<Results<Created<RegisteredPeer>, ValidationProblem>> RegisterPeer(
        TrackerService tracker, PeerRegistration registration, CancellationToken cancellationToken)
    {
        if (Validate(registration) is { } invalid) return invalid;
        var peer = await tracker.RegisterPeerAsync(registration, cancellationToken);
        return TypedResults.Created($"/api/tracker/peers/{peer.PeerId}", peer);
    }

    public static async Task<Results<Ok<PeerInfo>, NotFoundProblem, ValidationProblem, UnauthorizedProblem, ForbiddenProblem>> UpdatePeer(
        HttpRequest request, TrackerService tracker, long peerId, PeerRegistration registration, CancellationToken cancellationToken)
    {
        if (Validate(registration) is { } invalid) return invalid;
        var (access, peer) = await tracker.UpdatePeerAsync(peerId, registration, PeerTokenAuth.Token(request), cancellationToken);
        return access switch
        {
            PeerAccess.Granted => TypedResults.Ok(peer!),
            PeerAccess.NoToken => new UnauthorizedProblem("Updating a peer"),
            PeerAccess.Unknown => PeerNotFound(peerId),
            _ => new ForbiddenProblem("Updating a peer"),
        };
    }

    /// <summary>Every field is checked; a missing one is an error, never a reason to skip a check.</summary>
    private static ValidationProblem? Validate(PeerRegistration registration)
    {
        var errors = new Dictionary<string, string[]>();
        if (PeerAddressRules.HostRefusal(registration.TransferHost) is { } host) errors["transferHost"] = [$"Invalid transfer host: {host}."];
        if (registration.TransferPort is < 1 or > 65535) errors["transferPort"] = ["The transfer port must be from 1 to 65535."];
        if (PeerAddressRules.ApiUrlRefusal(registration.ApiUrl) is { } url) errors["apiUrl"] = [$"Invalid API url: {url} (an absolute http(s) url is required)."];
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
