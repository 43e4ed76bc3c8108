using BitTorrent.ChordNode.Membership;
using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BitTorrent.ChordNode.Api;

/// <summary>The public view of the ring, and the health probes.</summary>
public static class RingApi
{
    private const int MaxMembers = 4096;

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

    private static Ok<HopReport> GetLookups(RingNode node) =>
        TypedResults.Ok(new HopReport(node.Hops.Lookups, node.Hops.MeanHops, node.Hops.Histogram()));
}
