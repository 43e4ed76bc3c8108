using System.Buffers;
using System.Diagnostics;
using System.Net;
using BitTorrent.ChordNode.Telemetry;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Tracker;
using Microsoft.Extensions.Primitives;

namespace BitTorrent.ChordNode.Api;

/// <summary>
/// The BitTorrent HTTP tracker: <c>GET /announce</c> (BEP 3, compact peers BEP 23) and <c>GET /scrape</c> (BEP 48).
/// Every answer is HTTP 200 with a bencoded body; errors are a <c>failure reason</c>, as clients expect.
/// </summary>
public static partial class AnnounceApi
{
    public static IEndpointRouteBuilder MapAnnounceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/announce", Announce)
            .RequireRateLimiting(TrackerRateLimits.Public)
            .WithTags("BitTorrent tracker")
            .WithName("Announce")
            .WithSummary("BitTorrent announce (BEP 3, compact BEP 23)")
            .WithDescription("Query: info_hash and peer_id (20 bytes each, URL-encoded), port, uploaded, downloaded, left, " +
                "event (started|completed|stopped|empty), numwant (default 50, at most 200), compact (default 1), ip (optional). " +
                "The peer's address is the connection's; X-Forwarded-For and ip are believed only from Tracker:TrustedProxies, and an ip " +
                "that is loopback, unspecified, multicast or link-local is refused. An entry belongs to its peer_id and address together: " +
                "an announce from elsewhere never moves or removes it. Any info-hash is accepted, but a swarm holds at most " +
                "Tracker:MaxPeersPerSwarm live entries and entries expire unless re-announced. The reply is a bencoded dictionary: interval, " +
                "min interval, complete, incomplete, peers (6-byte entries when compact, else a list of dictionaries; IPv6 peers in peers6), " +
                "or failure reason.")
            .Produces(StatusCodes.Status200OK, contentType: AnnounceResponseWriter.ContentType);

        app.MapGet("/scrape", Scrape)
            .RequireRateLimiting(TrackerRateLimits.Public)
            .WithTags("BitTorrent tracker")
            .WithName("Scrape")
            .WithSummary("BitTorrent scrape (BEP 48)")
            .WithDescription("Query: one or more info_hash (20 bytes each, URL-encoded). Reply: bencoded files dictionary " +
                "with complete, incomplete and downloaded per info-hash.")
            .Produces(StatusCodes.Status200OK, contentType: AnnounceResponseWriter.ContentType);

        return app;
    }

    public static async Task Announce(HttpContext context, TrackerService tracker, TrustedProxyList proxies, ILogger<TrackerService> logger)
    {
        var output = new ArrayBufferWriter<byte>(512);
        var answered = await AnswerAnnounceAsync(output, context.Request.QueryString.Value, context.Connection.RemoteIpAddress ?? IPAddress.Loopback,
            context.Request.Headers["X-Forwarded-For"], tracker, proxies, logger, context.RequestAborted);
        if (answered) await WriteAsync(context, output);
    }

    public static async Task Scrape(HttpContext context, TrackerService tracker, ILogger<TrackerService> logger)
    {
        var output = new ArrayBufferWriter<byte>(256);
        if (await AnswerScrapeAsync(output, context.Request.QueryString.Value, tracker, logger, context.RequestAborted)) await WriteAsync(context, output);
    }

    /// <summary>
    /// Writes the bencoded answer to an announce from <paramref name="connection"/> (which may speak for a client
    /// through <paramref name="forwardedFor"/>); false when the request was cancelled and nothing is to be sent.
    /// </summary>
    internal static async Task<bool> AnswerAnnounceAsync(ArrayBufferWriter<byte> output, string? query, IPAddress connection, StringValues forwardedFor,
        TrackerService tracker, TrustedProxyList proxies, ILogger logger, CancellationToken cancellationToken)
    {
        var options = tracker.Options;
        if (!AnnounceRequest.TryParse(query, options.DefaultNumWant, options.MaxNumWant, out var request, out var failure))
        {
            AnnounceResponseWriter.WriteFailure(output, failure);
            CountAnnounce(null, "invalid_request");
        }
        else if (request.Ip is { } claimed && PeerAddressRules.AnnouncedRefusal(claimed) is { } refusal)
        {
            AnnounceResponseWriter.WriteFailure(output, $"ip may not be {refusal}");
            CountAnnounce(request.Event, "invalid_request");
        }
        else
        {
            try
            {
                // The connection's address, or the client a trusted proxy (the gateway) names; ip= only from a trusted host.
                var (client, clientTrusted) = proxies.ResolveClient(connection, forwardedFor);
                var result = await tracker.AnnounceAsync(request, client, honourIp: clientTrusted, cancellationToken);
                if (result.Failure is { } refused) AnnounceResponseWriter.WriteFailure(output, refused);
                else AnnounceResponseWriter.WriteAnnounce(output, result, request.Compact, request.NoPeerId);
                CountAnnounce(request.Event, result.Failure is null ? null : "refused");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e)
            {
                LogStoreFailed(logger, "announce", e);
                output.ResetWrittenCount();
                AnnounceResponseWriter.WriteFailure(output, "tracker temporarily unavailable, retry later");
                CountAnnounce(request.Event, "unavailable");
            }
        }
        return true;
    }

    /// <summary>Writes the bencoded answer to a scrape; false when the request was cancelled and nothing is to be sent.</summary>
    internal static async Task<bool> AnswerScrapeAsync(ArrayBufferWriter<byte> output, string? query, TrackerService tracker, ILogger logger,
        CancellationToken cancellationToken)
    {
        var hashes = new List<Id160>();
        string? failure = null;
        foreach (var (key, value) in new QueryPairs(query))
        {
            if (!key.SequenceEqual("info_hash")) continue;
            if (!QueryPairs.TryDecodeId(value, out var hash)) { failure = "info_hash must be 20 bytes"; break; }
            if (hashes.Count == tracker.Options.MaxNumWant) { failure = "too many info_hash values"; break; }
            hashes.Add(hash);
        }
        if (failure is null && hashes.Count == 0) failure = "scrape needs at least one info_hash";

        if (failure is not null)
        {
            AnnounceResponseWriter.WriteFailure(output, failure);
            ChordTelemetry.Scrapes.Add(1, new KeyValuePair<string, object?>("error.type", "invalid_request"));
            return true;
        }
        try
        {
            AnnounceResponseWriter.WriteScrape(output, await tracker.ScrapeAsync(hashes, cancellationToken));
            ChordTelemetry.Scrapes.Add(1);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e)
        {
            LogStoreFailed(logger, "scrape", e);
            ChordTelemetry.Scrapes.Add(1, new KeyValuePair<string, object?>("error.type", "unavailable"));
            output.ResetWrittenCount();
            AnnounceResponseWriter.WriteFailure(output, "tracker temporarily unavailable, retry later");
        }
        return true;
    }

    /// <summary>Counts an answered announce by its event; a refused one with why (<c>error.type</c>).</summary>
    private static void CountAnnounce(AnnounceEvent? announced, string? error)
    {
        var tags = new TagList { { "bittorrent.announce.event", EventName(announced) } };
        if (error is not null) tags.Add("error.type", error);
        ChordTelemetry.Announces.Add(1, tags);
    }

    private static string EventName(AnnounceEvent? announced) => announced switch
    {
        AnnounceEvent.Started => "started",
        AnnounceEvent.Completed => "completed",
        AnnounceEvent.Stopped => "stopped",
        AnnounceEvent.None => "none",
        _ => "unknown",
    };

    /// <summary>Whether a path speaks the BitTorrent tracker protocol (errors as bencoded failure reasons, not problem details).</summary>
    public static bool IsTrackerProtocol(PathString path) =>
        path.StartsWithSegments("/announce") || path.StartsWithSegments("/scrape");

    /// <summary>A bencoded failure reason with the given status (the rate limiter's 429 on /announce).</summary>
    public static Task WriteFailureAsync(HttpContext context, string reason, int statusCode)
    {
        var output = new ArrayBufferWriter<byte>(128);
        AnnounceResponseWriter.WriteFailure(output, reason);
        context.Response.Headers.RetryAfter = "1";
        return WriteAsync(context, output, statusCode);
    }

    private static async Task WriteAsync(HttpContext context, ArrayBufferWriter<byte> output, int statusCode = StatusCodes.Status200OK)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = AnnounceResponseWriter.ContentType;
        response.ContentLength = output.WrittenCount;
        response.Headers.CacheControl = "no-cache";
        await response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }

    [LoggerMessage(LogLevel.Warning, "The store failed during {Operation}")]
    private static partial void LogStoreFailed(ILogger logger, string operation, Exception exception);
}
