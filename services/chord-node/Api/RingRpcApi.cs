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
        chord.MapGet("/info", (RingNode node, LocalStore store, DhtRouter router, WriteBehindReplicator writeBehind) => TypedResults.Ok(new NodeInfo(
            node.Self, node.Predecessor, node.Successors, node.Fingers(), store.Count,
            new HopReport(node.Hops.Lookups, node.Hops.MeanHops, node.Hops.Histogram()), router.Forwarded, writeBehind.Pending)));
        chord.MapGet("/lookup/{id}", LookupAsync);

        var dht = app.MapGroup("/dht").ExcludeFromDescription();
        dht.MapPost("/apply", async (DhtOperation operation, PrimaryApplier primary, CancellationToken ct) =>
            TypedResults.Ok(await primary.ApplyAsPrimaryAsync(operation, ct)));
        // Routed: finds the key's primary from here (what the tracker does through IDht); for tools and tests.
        dht.MapPost("/execute", async (DhtOperation operation, DhtRouter router, CancellationToken ct) =>
            TypedResults.Ok(await router.ExecuteAsync(operation, ct)));
        // Answered once the entries are merged, and on disk where they are durable state.
        dht.MapPost("/merge", async (EntryData[] entries, LocalStore store) =>
        {
            await store.MergeAsync(entries);
            return TypedResults.NoContent();
        });
        // A primary's claim of a counter value: accepted (answered once durable) or refused with the value held here.
        dht.MapPost("/claim", ClaimCounterAsync);
        dht.MapPost("/sync", SyncPage);
        dht.MapPost("/range", (RangeRequest request, KeyHandoff handoff) => TypedResults.Ok(handoff.HandleRange(request.From, request.To, request.After)));
        dht.MapGet("/keys", (LocalStore store) => TypedResults.Ok(store.Keys.Order(StringComparer.Ordinal).ToArray()));
        return app;
    }

    private static async Task<Results<Ok<CounterClaimReply>, ProblemHttpResult>> ClaimCounterAsync(CounterClaim claim, LocalStore store) =>
        string.IsNullOrEmpty(claim.Key) || claim.Key.Length > CounterClaim.MaxKeyLength || claim.Value <= 0 || claim.Writer is null
            ? TypedResults.Problem(title: "Bad counter claim",
                detail: $"A claim names a key of 1 to {CounterClaim.MaxKeyLength} characters, a value above zero and its writer.", statusCode: 400)
            : TypedResults.Ok(await store.ClaimAsync(claim));

    /// <summary>One page of anti-entropy digests; more than a page is refused, so no request grows with the store.</summary>
    private static Results<Ok<SyncReply>, ProblemHttpResult> SyncPage(KeyDigest[] digests, AntiEntropy antiEntropy) =>
        digests.Length > StorageSettings.MaxSyncPageKeys
            ? TypedResults.Problem(title: "Too many digests", detail: $"Send at most {StorageSettings.MaxSyncPageKeys} digests per request.", statusCode: 400)
            : TypedResults.Ok(antiEntropy.HandleSync(digests));

    private static async Task<Results<Ok<LookupReport>, ProblemHttpResult>> LookupAsync(string id, RingNode node, CancellationToken ct)
    {
        if (!Id160.TryParse(id, out var target))
            return TypedResults.Problem(title: "Bad identifier", detail: "An identifier is 40 hexadecimal digits.", statusCode: 400);
        var result = await node.FindSuccessorAsync(target, ct);
        return TypedResults.Ok(new LookupReport(target, result.Successor, result.Hops));
    }
}
