using System.Buffers;
using System.Diagnostics;
using System.Net;
using BitTorrent.ChordNode.Telemetry;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Tracker;

namespace BitTorrent.ChordNode.Api;

/// <summary>
/// <c>POST /tracker/batch</c>: many announces and scrapes in one request, each answered exactly as
/// <c>GET /announce</c> or <c>GET /scrape</c> would answer it (<see cref="TrackerBatchFormat"/>). The gateway sends
/// the requests that queue for one owner this way. Only a trusted proxy (Tracker:TrustedProxies) may: every item
/// names its client, which is believed as X-Forwarded-For is, and a trusted proxy is not rate-limited.
/// </summary>
public static class TrackerBatchApi
{
    public static IEndpointRouteBuilder MapTrackerBatchApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(TrackerBatchFormat.Path, Batch)
            .RequireRateLimiting(TrackerRateLimits.Public)
            .WithMetadata(new RequestBodyLimit(TrackerBatchFormat.MaxRequestBytes))
            .WithTags("BitTorrent tracker")
            .WithName("TrackerBatch")
            .WithSummary("Announces and scrapes in one request (the gateway's)")
            .WithDescription($"Body ({TrackerBatchFormat.MediaType}): up to {TrackerBatchFormat.MaxItems} items, each a kind byte (1 announce, " +
                "2 scrape), the client's address (1-byte length, ASCII), a W3C traceparent (1-byte length, 0 when untraced) and the query string " +
                "(2-byte big-endian length, UTF-8). Reply: per item in order, a 4-byte big-endian length and the bencoded body GET /announce or " +
                "GET /scrape gives that client. Only from Tracker:TrustedProxies (403 otherwise); a malformed body is a 400.")
            .Accepts<byte[]>(TrackerBatchFormat.MediaType)
            .Produces(StatusCodes.Status200OK, contentType: TrackerBatchFormat.MediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    public static async Task Batch(HttpContext context, TrackerService tracker, TrustedProxyList proxies, ILogger<TrackerService> logger)
    {
        var connection = context.Connection.RemoteIpAddress ?? IPAddress.Loopback;
        if (!proxies.Contains(connection))
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not a trusted proxy",
                detail: "Only a trusted proxy (Tracker:TrustedProxies, the gateway) may send a batch of tracker requests; send each as GET /announce or GET /scrape.")
                .ExecuteAsync(context);
            return;
        }

        var items = new List<TrackerBatchItem>();
        string? error;
        var reader = context.Request.BodyReader;
        var read = await reader.ReadAsync(context.RequestAborted);
        while (!read.IsCompleted)
        {
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End); // the routing's body limit bounds what accumulates
            read = await reader.ReadAsync(context.RequestAborted);
        }
        var body = read.Buffer;
        var parsed = body.IsSingleSegment
            ? TrackerBatchFormat.TryReadItems(body.FirstSpan, items, out error)
            : TrackerBatchFormat.TryReadItems(body.ToArray(), items, out error);
        reader.AdvanceTo(body.End);
        if (!parsed)
        {
            await new BadRequestProblem("Malformed tracker batch", error!).ExecuteAsync(context);
            return;
        }

        // Items run side by side: most complete at once from this node's store; one whose swarm moved waits on the ring.
        var answers = new Task<ArrayBufferWriter<byte>?>[items.Count];
        for (var i = 0; i < items.Count; i++) answers[i] = AnswerAsync(items[i], connection, tracker, proxies, logger, context.RequestAborted);
        var output = new ArrayBufferWriter<byte>(items.Count * 128);
        foreach (var answer in answers)
        {
            if (await answer is not { } written) return; // the gateway went away
            TrackerBatchFormat.WriteAnswer(output, written.WrittenSpan);
        }
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = TrackerBatchFormat.MediaType;
        response.ContentLength = output.WrittenCount;
        await response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }

    private static async Task<ArrayBufferWriter<byte>?> AnswerAsync(TrackerBatchItem item, IPAddress connection, TrackerService tracker,
        TrustedProxyList proxies, ILogger logger, CancellationToken cancellationToken)
    {
        using var span = StartSpan(item);
        var output = new ArrayBufferWriter<byte>(256);
        var answered = item.Kind == TrackerRequestKind.Announce
            ? await AnnounceApi.AnswerAnnounceAsync(output, item.Query, connection, item.Client, tracker, proxies, logger, cancellationToken)
            : await AnnounceApi.AnswerScrapeAsync(output, item.Query, tracker, logger, cancellationToken);
        return answered ? output : null;
    }

    /// <summary>
    /// A traced item's own server span, child of the gateway's span for it, so one announce stays one trace from the
    /// client to its owner although it travelled in a batch (whose own span is the batch's, not the client's).
    /// </summary>
    private static Activity? StartSpan(TrackerBatchItem item)
    {
        if (item.TraceParent is null || !ChordTelemetry.ActivitySource.HasListeners()
            || !ActivityContext.TryParse(item.TraceParent, null, isRemote: true, out var parent)) return null;
        var path = item.Kind == TrackerRequestKind.Announce ? "/announce" : "/scrape";
        var span = ChordTelemetry.ActivitySource.StartActivity($"GET {path}", ActivityKind.Server, parent);
        span?.SetTag("http.request.method", "GET");
        span?.SetTag("url.path", path);
        span?.SetTag("client.address", item.Client);
        return span;
    }
}
