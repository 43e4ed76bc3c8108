using System.Buffers;
using System.Net;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Tracker;

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
            .WithTags("BitTorrent tracker")
            .WithName("Announce")
            .WithSummary("BitTorrent announce (BEP 3, compact BEP 23)")
            .WithDescription("Query: info_hash and peer_id (20 bytes each, URL-encoded), port, uploaded, downloaded, left, " +
                "event (started|completed|stopped|empty), numwant (default 50, at most 200), compact (default 1), ip (optional). " +
                "Any info-hash is accepted. The reply is a bencoded dictionary: interval, min interval, complete, incomplete, peers " +
                "(6-byte entries when compact, else a list of dictionaries; IPv6 peers in peers6), or failure reason.")
            .Produces(StatusCodes.Status200OK, contentType: AnnounceResponseWriter.ContentType);

        app.MapGet("/scrape", Scrape)
            .WithTags("BitTorrent tracker")
            .WithName("Scrape")
            .WithSummary("BitTorrent scrape (BEP 48)")
            .WithDescription("Query: one or more info_hash (20 bytes each, URL-encoded). Reply: bencoded files dictionary " +
                "with complete, incomplete and downloaded per info-hash.")
            .Produces(StatusCodes.Status200OK, contentType: AnnounceResponseWriter.ContentType);

        return app;
    }

    public static async Task Announce(HttpContext context, TrackerService tracker, ILogger<TrackerService> logger)
    {
        var options = tracker.Options;
        var output = new ArrayBufferWriter<byte>(512);
        if (!AnnounceRequest.TryParse(context.Request.QueryString.Value, options.DefaultNumWant, options.MaxNumWant, out var request, out var failure))
        {
            AnnounceResponseWriter.WriteFailure(output, failure);
        }
        else
        {
            try
            {
                var remote = context.Connection.RemoteIpAddress ?? IPAddress.Loopback;
                var result = await tracker.AnnounceAsync(request, remote, context.RequestAborted);
                AnnounceResponseWriter.WriteAnnounce(output, result, request.Compact, request.NoPeerId);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogStoreFailed(logger, "announce", e);
                output.ResetWrittenCount();
                AnnounceResponseWriter.WriteFailure(output, "tracker temporarily unavailable, retry later");
            }
        }
        await WriteAsync(context, output);
    }

    public static async Task Scrape(HttpContext context, TrackerService tracker, ILogger<TrackerService> logger)
    {
        var output = new ArrayBufferWriter<byte>(256);
        var hashes = new List<Id160>();
        string? failure = null;
        foreach (var (key, value) in new QueryPairs(context.Request.QueryString.Value))
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
        }
        else
        {
            try
            {
                AnnounceResponseWriter.WriteScrape(output, await tracker.ScrapeAsync(hashes, context.RequestAborted));
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogStoreFailed(logger, "scrape", e);
                output.ResetWrittenCount();
                AnnounceResponseWriter.WriteFailure(output, "tracker temporarily unavailable, retry later");
            }
        }
        await WriteAsync(context, output);
    }

    private static async Task WriteAsync(HttpContext context, ArrayBufferWriter<byte> output)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = AnnounceResponseWriter.ContentType;
        response.ContentLength = output.WrittenCount;
        response.Headers.CacheControl = "no-cache";
        await response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }

    [LoggerMessage(LogLevel.Warning, "The store failed during {Operation}")]
    private static partial void LogStoreFailed(ILogger logger, string operation, Exception exception);
}
