using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using BitTorrent.Gateway.Telemetry;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Tracker;
using Microsoft.Extensions.Options;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// /announce and /scrape go straight to the chord node that owns the torrent's swarm key (the
/// successor of SHA-1("swarm/{infoHash}") among the members the gateway knows), so the node answers
/// from its own store with no lookup and no forward. If that node is unreachable the next members in
/// ring order are tried: they hold the swarm's replicas and stand in for a dead primary. A node that
/// is not (or no longer) the owner still answers correctly; it forwards inside the ring, which costs
/// one hop. Requests for one node travel in batches (<see cref="OwnerBatcher"/>) unless Gateway:TrackerBatches
/// is off or the node refuses them; then each is its own GET. Everything else under the tracker goes through YARP.
/// </summary>
public sealed partial class AnnounceForwarder(RingMembership membership, IHttpMessageHandlerFactory handlers, IOptions<GatewayOptions> options,
    TimeProvider time, ILogger<AnnounceForwarder> logger)
{
    /// <summary>The named client announces go out on (the shared handler settings, a 2 s connect timeout).</summary>
    public const string HttpClientName = "announce-forwarding";

    /// <summary>The gateway's own spans: one per announce or scrape sent in a batch, parent of the owner's span for it.</summary>
    private static readonly ActivitySource Spans = new(GatewayTelemetry.ActivitySourceName);

    private const int MaxAttempts = 3;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    // The factory's handler for the named client, held for the process's life (the factory never rotates it,
    // see AddServiceHttpClient); an invoker rather than an HttpClient, as nothing of HttpClient is needed here.
    private readonly HttpMessageInvoker _invoker = new(handlers.CreateHandler(HttpClientName), disposeHandler: false);
    private readonly bool _batches = options.Value.TrackerBatches;
    private readonly ConcurrentDictionary<string, OwnerBatcher> _owners = new(StringComparer.Ordinal);

    private enum Step { Answered, TryNext, GiveUp }

    /// <summary>Where a request for this query goes first: the owner's position in <paramref name="placement"/>.</summary>
    public static int FirstChoice(RingPlacement placement, ReadOnlySpan<char> query) =>
        SwarmKey.TryFindInfoHash(query, out var infoHash)
            ? placement.SuccessorIndex(SwarmKey.RingId(infoHash))
            : Random.Shared.Next(placement.Count); // bad or missing info_hash: any node answers the failure

    public async Task ForwardAsync(HttpContext context)
    {
        var placement = membership.Placement;
        if (placement.Count == 0)
        {
            GatewayTelemetry.TrackerUnavailable.Add(1);
            await WriteFailureAsync(context, "tracker temporarily unavailable, retry later");
            return;
        }
        var query = context.Request.QueryString.Value ?? "";
        var first = FirstChoice(placement, query);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(RequestTimeout);

        var attempts = Math.Min(MaxAttempts, placement.Count);
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var node = placement[first + attempt];
            var last = attempt + 1 == attempts;
            try
            {
                var owner = _batches ? _owners.GetOrAdd(node, url => new OwnerBatcher(url, _invoker, time, logger)) : null;
                var step = owner is { Refused: false }
                    ? await ViaBatchAsync(context, owner, node, query, last, timeout.Token)
                    : await DirectAsync(context, node, query, last, timeout.Token);
                if (step == Step.Answered) return;
                if (step == Step.GiveUp) break;
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                LogNodeUnreachable(logger, node, "timed out");
                break;
            }
            catch (OperationCanceledException)
            {
                return; // the client went away
            }
        }
        if (!context.Response.HasStarted)
        {
            GatewayTelemetry.TrackerUnavailable.Add(1);
            await WriteFailureAsync(context, "tracker temporarily unavailable, retry later");
        }
    }

    /// <summary>The request in the node's next batch, under a span of its own that the node's span for it hangs from.</summary>
    private async Task<Step> ViaBatchAsync(HttpContext context, OwnerBatcher owner, string node, string query, bool last, CancellationToken cancellationToken)
    {
        var path = context.Request.Path.Value ?? "";
        var kind = path.Equals("/scrape", StringComparison.Ordinal) ? TrackerRequestKind.Scrape : TrackerRequestKind.Announce;
        BatchAnswer answer;
        using (var span = StartSpan(node, path))
        {
            var client = context.Connection.RemoteIpAddress?.ToString() ?? "";
            answer = await owner.SendAsync(new TrackerBatchItem(kind, client, span?.Id, query)).WaitAsync(cancellationToken);
            // Refused: the GET that follows is the request, under HttpClient's span; this one is not exported.
            if (answer.Outcome == BatchOutcome.Refused && span is not null) span.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            else if (answer.Outcome != BatchOutcome.Answered) span?.SetStatus(ActivityStatusCode.Error, answer.Reason);
        }
        switch (answer.Outcome)
        {
            case BatchOutcome.Answered:
                var outgoing = context.Response;
                outgoing.StatusCode = StatusCodes.Status200OK;
                outgoing.ContentType = "text/plain";
                outgoing.ContentLength = answer.Body.Length;
                outgoing.Headers.CacheControl = "no-cache";
                await outgoing.Body.WriteAsync(answer.Body, cancellationToken);
                return Step.Answered;
            case BatchOutcome.Refused:
                return await DirectAsync(context, node, query, last, cancellationToken);
            default:
                LogNodeUnreachable(logger, node, answer.Reason ?? answer.Outcome.ToString());
                if (!last) GatewayTelemetry.TrackerRetries.Add(1, new KeyValuePair<string, object?>("error.type", answer.Outcome == BatchOutcome.Unavailable ? answer.Reason : "unreachable"));
                return Step.TryNext;
        }
    }

    /// <summary>The request as a GET of its own to the node.</summary>
    private async Task<Step> DirectAsync(HttpContext context, string node, string query, bool last, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, node + context.Request.Path.Value + query) { Version = HttpVersion.Version11 };
        // The node records the announcing client's address, not the gateway's.
        if (context.Connection.RemoteIpAddress is { } client) request.Headers.TryAddWithoutValidation("X-Forwarded-For", client.ToString());
        try
        {
            using var response = await _invoker.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable && !last)
            {
                GatewayTelemetry.TrackerRetries.Add(1, new KeyValuePair<string, object?>("error.type", ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)));
                return Step.TryNext;
            }
            var outgoing = context.Response;
            outgoing.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } type) outgoing.ContentType = type.ToString();
            if (response.Content.Headers.ContentLength is { } length) outgoing.ContentLength = length;
            outgoing.Headers.CacheControl = "no-cache";
            await response.Content.CopyToAsync(outgoing.Body, cancellationToken);
            return Step.Answered;
        }
        catch (HttpRequestException e)
        {
            LogNodeUnreachable(logger, node, e.Message);
            if (!last) GatewayTelemetry.TrackerRetries.Add(1, new KeyValuePair<string, object?>("error.type", "unreachable"));
            return Step.TryNext;
        }
    }

    private static Activity? StartSpan(string node, string path)
    {
        if (!Spans.HasListeners()) return null;
        var span = Spans.StartActivity("GET", ActivityKind.Client);
        span?.SetTag("http.request.method", "GET");
        span?.SetTag("server.address", node);
        span?.SetTag("url.path", path);
        return span;
    }

    /// <summary>A tracker error as clients expect it: HTTP 200 with a bencoded failure reason.</summary>
    private static Task WriteFailureAsync(HttpContext context, string reason)
    {
        var body = new BDictionary { { "failure reason", new BString(reason) } }.Encode();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Chord node {Node} did not answer a tracker request ({Reason}); trying the next")]
    private static partial void LogNodeUnreachable(ILogger logger, string node, string reason);
}
