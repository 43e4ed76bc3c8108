using System.Globalization;
using System.Net;
using BitTorrent.Gateway.Telemetry;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Tracker;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// /announce and /scrape go straight to the chord node that owns the torrent's swarm key (the
/// successor of SHA-1("swarm/{infoHash}") among the members the gateway knows), so the node answers
/// from its own store with no lookup and no forward. If that node is unreachable the next members in
/// ring order are tried: they hold the swarm's replicas and stand in for a dead primary. A node that
/// is not (or no longer) the owner still answers correctly; it forwards inside the ring, which costs
/// one hop. Everything else under the tracker goes through YARP.
/// </summary>
public sealed partial class AnnounceForwarder(RingMembership membership, IHttpMessageHandlerFactory handlers, ILogger<AnnounceForwarder> logger)
{
    /// <summary>The named client announces go out on (the shared handler settings, a 2 s connect timeout).</summary>
    public const string HttpClientName = "announce-forwarding";

    private const int MaxAttempts = 3;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    // The factory's handler for the named client, held for the process's life (the factory never rotates it,
    // see AddServiceHttpClient); an invoker rather than an HttpClient, as nothing of HttpClient is needed here.
    private readonly HttpMessageInvoker _invoker = new(handlers.CreateHandler(HttpClientName), disposeHandler: false);

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
        var path = context.Request.Path.Value;
        var client = context.Connection.RemoteIpAddress?.ToString();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(RequestTimeout);

        var attempts = Math.Min(MaxAttempts, placement.Count);
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var node = placement[first + attempt];
            using var request = new HttpRequestMessage(HttpMethod.Get, node + path + query) { Version = HttpVersion.Version11 };
            // The node records the announcing client's address, not the gateway's.
            if (client is not null) request.Headers.TryAddWithoutValidation("X-Forwarded-For", client);
            try
            {
                using var response = await _invoker.SendAsync(request, timeout.Token);
                if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable && attempt + 1 < attempts)
                {
                    GatewayTelemetry.TrackerRetries.Add(1, new KeyValuePair<string, object?>("error.type", ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)));
                    continue;
                }
                var outgoing = context.Response;
                outgoing.StatusCode = (int)response.StatusCode;
                if (response.Content.Headers.ContentType is { } type) outgoing.ContentType = type.ToString();
                if (response.Content.Headers.ContentLength is { } length) outgoing.ContentLength = length;
                outgoing.Headers.CacheControl = "no-cache";
                await response.Content.CopyToAsync(outgoing.Body, timeout.Token);
                return;
            }
            catch (HttpRequestException e)
            {
                LogNodeUnreachable(logger, node, e.Message);
                if (attempt + 1 < attempts) GatewayTelemetry.TrackerRetries.Add(1, new KeyValuePair<string, object?>("error.type", "unreachable"));
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
