using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Rpc;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Identifiers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BitTorrent.ChordNode.Api;

/// <summary>
/// Ring RPC between members under /chord and /dht. Not part of the public API: hidden from the
/// OpenAPI document, refused without the ring secret, and never routed by the gateway.
/// </summary>
public static class RingRpcApi
{
    /// <summary>Replica synchronisation moves many entries at once; public endpoints keep Kestrel's small limit.</summary>
    public const long MaxRpcBodyBytes = 64L * 1024 * 1024;

    public static IApplicationBuilder UseRingSecret(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/chord") || context.Request.Path.StartsWithSegments("/dht"),
            branch => branch.Use(async (context, next) =>
            {
                var secret = context.RequestServices.GetRequiredService<IOptions<ChordOptions>>().Value.Secret;
                if (!RingSecret.Matches(context.Request.Headers[RingSecret.Header], secret))
                {
                    await TypedResults.Problem(
                        title: "Ring secret required",
                        detail: $"Ring RPC is for ring members: send the shared secret in the {RingSecret.Header} header.",
                        statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
                    return;
                }
                var bodyLimit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
                if (bodyLimit is { IsReadOnly: false }) bodyLimit.MaxRequestBodySize = MaxRpcBodyBytes;
                await next(context);
            }));

    public static IEndpointRouteBuilder MapRingRpc(this IEndpointRouteBuilder app)
    {
        var chord = app.MapGroup("/chord").ExcludeFromDescription();
        chord.MapGet("/state", (RingNode node) => TypedResults.Ok(node.GetState()));
        chord.MapPost("/step", (LookupStepRequest request, RingNode node) =>
            TypedResults.Ok(node.FindSuccessorStep(request.Id, request.Exclude)));
        chord.MapPost("/rectify", (NodeRef candidate, RingNode node) =>
        {
            node.Rectify(candidate);
            return TypedResults.NoContent();
        });
        chord.MapGet("/ping", () => TypedResults.NoContent());
        chord.MapGet("/info", (RingNode node, DhtNode dht) => TypedResults.Ok(new NodeInfo(
            node.Self, node.Predecessor, node.Successors, node.Fingers(), dht.Store.Count,
            new HopReport(node.Hops.Lookups, node.Hops.MeanHops, node.Hops.Histogram()), dht.Forwarded, dht.PendingReplication)));
        chord.MapGet("/lookup/{id}", LookupAsync);

        var dht = app.MapGroup("/dht").ExcludeFromDescription();
        dht.MapPost("/apply", async (DhtOperation operation, DhtNode node, CancellationToken ct) =>
            TypedResults.Ok(await node.ApplyAsPrimaryAsync(operation, ct)));
        // Routed: finds the key's primary from here (what the tracker does through IDht); for tools and tests.
        dht.MapPost("/execute", async (DhtOperation operation, DhtNode node, CancellationToken ct) =>
            TypedResults.Ok(await node.ExecuteAsync(operation, ct)));
        dht.MapPost("/merge", (EntryData[] entries, DhtNode node) =>
        {
            node.HandleMerge(entries);
            return TypedResults.NoContent();
        });
        dht.MapPost("/sync", (KeyDigest[] digests, DhtNode node) => TypedResults.Ok(node.HandleSync(digests)));
        dht.MapPost("/range", (RangeRequest request, DhtNode node) => TypedResults.Ok(node.HandleRange(request.From, request.To)));
        dht.MapGet("/keys", (DhtNode node) => TypedResults.Ok(node.Store.Keys.Order(StringComparer.Ordinal).ToArray()));
        return app;
    }

    private static async Task<Results<Ok<LookupReport>, ProblemHttpResult>> LookupAsync(string id, RingNode node, CancellationToken ct)
    {
        if (!Id160.TryParse(id, out var target))
            return TypedResults.Problem(title: "Bad identifier", detail: "An identifier is 40 hexadecimal digits.", statusCode: 400);
        var result = await node.FindSuccessorAsync(target, ct);
        return TypedResults.Ok(new LookupReport(target, result.Successor, result.Hops));
    }
}
