using BitTorrent.ChordNode.Membership;
using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Rpc;
using BitTorrent.ChordNode.Storage;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Hosting;
using BitTorrent.Shared.Identifiers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BitTorrent.ChordNode.Api;

/// <summary>The public view of the ring, and the health probes.</summary>
public static class RingApi
{
    private const int MaxMembers = 4096;

    /// <summary>The longest key a placement request may name (the tracker's keys are far shorter).</summary>
    public const int MaxKeyLength = 512;

    public static IEndpointRouteBuilder MapRingApi(this IEndpointRouteBuilder app)
    {
        var ring = app.MapGroup("/api/tracker/ring").WithTags("Ring").RequireRateLimiting(Tracker.TrackerRateLimits.Public);
        ring.MapGet("/", GetRingAsync)
            .WithName("GetRing")
            .WithSummary("Ring members")
            .WithDescription("Every member of the Chord ring in id order, found by walking successor pointers from the node that answers: id, url, predecessor and successor list.");
        ring.MapGet("/lookups", GetLookups)
            .WithName("GetLookupHops")
            .WithSummary("Lookup hop counts")
            .WithDescription("How many remote hops this node's lookups took: count, mean and histogram. Chord promises O(log N); this is where it is measured.");
        ring.MapGet("/nodes/{id}", GetNodeAsync)
            .WithName("GetRingNode")
            .WithSummary("One member's details")
            .WithDescription("The member whose ring id is `id` (40 hex digits, as listed by `GET /api/tracker/ring`): its predecessor, its successor list, " +
                "how many keys its store holds (as primary or replica) and the hop counts of its lookups. Any member answers: it finds the member " +
                "by a lookup and asks it. 404 when no live member has that id.");
        ring.MapGet("/placement", GetPlacementAsync)
            .WithName("GetKeyPlacement")
            .WithSummary("Where a key lives")
            .WithDescription("The ring id of a DHT key (SHA-1 of its text, as the store computes it), its owner (the id's successor) and the members " +
                "that hold its replicas (`Chord:Replicas` in all, the owner first). `key` is a DHT key such as `torrent/<info-hash>`, or an info-hash " +
                $"alone (40 hex digits) for the keys the tracker keeps for that file: `torrent/`, `swarm/` and its `catalog/` partition. At most {MaxKeyLength} characters.");

        app.MapHealthEndpoints("ChordNode", "once the node has joined the ring (or founded it)", services =>
        {
            var ready = services.GetRequiredService<RingHost>().Ready;
            return new Readiness<NodeReadiness>(ready, new NodeReadiness(ready ? "ready" : "joining"));
        });
        return app;
    }

    private static async Task<Ok<RingView>> GetRingAsync(RingNode node, CancellationToken cancellationToken)
    {
        var members = new List<MemberView>();
        var seen = new HashSet<Shared.Identifiers.Id160>();
        var current = node.GetState();
        while (members.Count < MaxMembers && seen.Add(current.Self.Id))
        {
            members.Add(new MemberView(current.Self.Id.ToString(), current.Self.Url, current.Predecessor?.Url, current.Successors.Select(s => s.Url).ToArray()));
            NodeState? next = null;
            foreach (var successor in current.Successors)
            {
                if (seen.Contains(successor.Id)) break;
                try
                {
                    next = successor.Id == node.Self.Id ? node.GetState() : await node.Transport.GetStateAsync(successor, cancellationToken);
                    break;
                }
                catch (NodeUnreachableException)
                {
                    // Dead members are skipped, as stabilize skips them.
                }
            }
            if (next is null) break;
            current = next;
        }
        members.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return TypedResults.Ok(new RingView(node.Self.Url, members.Count, members));
    }

    private static async Task<Results<Ok<RingNodeDetails>, BadRequestProblem, NotFoundProblem>> GetNodeAsync(
        string id, RingNode node, LocalStore store, IHttpClientFactory httpClients, IOptions<ChordOptions> options, CancellationToken cancellationToken)
    {
        if (!Id160.TryParse(id, out var target)) return new BadRequestProblem("Invalid node id", $"'{Clip(id)}' is not 40 hexadecimal digits.");
        NotFoundProblem Missing() => new("Node not found", $"No live ring member has the id {target}.");
        if (target == node.Self.Id)
            return TypedResults.Ok(new RingNodeDetails(node.Self, node.Predecessor, node.Successors, store.Count, Hops(node.Hops), node.Self.Url));

        // A member's successor is the member itself; a lookup that ends elsewhere means there is no such member.
        LookupResult found;
        try
        {
            found = await node.FindSuccessorAsync(target, cancellationToken);
        }
        catch (LookupFailedException)
        {
            return Missing();
        }
        if (found.Successor.Id != target) return Missing();
        // The member answers for itself over ring RPC (it learned of it from the ring, so it may send the secret).
        var client = httpClients.CreateClient(HttpRingTransport.HttpClientName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RpcTimeout);
        try
        {
            var info = await client.GetFromJsonAsync<NodeInfo>(new Uri(new Uri(found.Successor.Url), "/chord/info"), HttpRingTransport.JsonOptions, timeout.Token);
            if (info is null) return Missing();
            return TypedResults.Ok(new RingNodeDetails(info.Self, info.Predecessor, info.Successors, info.Keys, info.Hops, node.Self.Url));
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException
                                  || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Missing();
        }
    }

    private static async Task<Results<Ok<KeyPlacementView>, BadRequestProblem, ProblemHttpResult>> GetPlacementAsync(
        string? key, RingNode node, IOptions<ChordOptions> chord, IOptions<TrackerOptions> tracker, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(key)) return new BadRequestProblem("No key", "Name a DHT key (such as torrent/<info-hash>) or an info-hash in `key`.");
        if (key.Length > MaxKeyLength) return new BadRequestProblem("Key too long", $"A key is at most {MaxKeyLength} characters.");
        var input = key.Trim();
        string[] keys = Id160.TryParse(input, out var infoHash) && input.Length == 2 * Id160.ByteLength
            ? [TrackerKeys.Torrent(infoHash), TrackerKeys.Swarm(infoHash), TrackerKeys.Catalog(infoHash.Mod(tracker.Value.CatalogPartitions))]
            : [input];
        var replicas = chord.Value.Replicas;
        var placements = new List<KeyPlacement>(keys.Length);
        try
        {
            foreach (var k in keys)
            {
                var id = Id160.Hash(k);
                var found = await node.FindSuccessorAsync(id, cancellationToken);
                placements.Add(new KeyPlacement(k, id, found.Successor, await HoldersAsync(node, found, replicas, cancellationToken), found.Hops));
            }
        }
        catch (LookupFailedException e)
        {
            return TypedResults.Problem(title: "Ring unavailable", detail: $"The ring could not place the key just now ({e.Message}); try again in a moment.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return TypedResults.Ok(new KeyPlacementView(input, replicas, placements));
    }

    /// <summary>
    /// The owner and the Replicas-1 members after it, from the owner's own successor list (where the store replicates);
    /// the lookup's list when the owner does not answer.
    /// </summary>
    private static async Task<NodeRef[]> HoldersAsync(RingNode node, LookupResult found, int replicas, CancellationToken cancellationToken)
    {
        var owner = found.Successor;
        try
        {
            var state = owner.Id == node.Self.Id ? node.GetState() : await node.Transport.GetStateAsync(owner, cancellationToken);
            return [.. state.Successors.Prepend(owner).DistinctBy(n => n.Id).Take(replicas)];
        }
        catch (NodeUnreachableException)
        {
            return [.. found.Candidates.Take(replicas)];
        }
    }

    private static string Clip(string text) => text.Length <= 48 ? text : text[..48] + "…";

    private static HopReport Hops(HopStatistics hops) => new(hops.Lookups, hops.MeanHops, hops.Histogram());

    private static Ok<HopReport> GetLookups(RingNode node) =>
        TypedResults.Ok(new HopReport(node.Hops.Lookups, node.Hops.MeanHops, node.Hops.Histogram()));
}
