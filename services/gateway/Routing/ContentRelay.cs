using System.Buffers;
using System.Net;
using BitTorrent.Gateway.Telemetry;
using BitTorrent.Shared.Http;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// Serves <c>/files/{infoHash}</c> and <c>/files/{infoHash}/{**path}</c>: a published file's bytes streamed from
/// one of its live seeders' public content route (<c>/public/files/…</c> on the peer), with range requests, and
/// when that seeder stops mid-response, continued from another one at the byte reached, so the client gets one
/// whole response. What each seeder sends is checked against the torrent: its status, Content-Range and
/// Content-Length must be exactly the bytes asked for, and it must not end early; a seeder that fails this is
/// left for the next. The content goes out with <see cref="SafeContentHeaders"/> (nosniff, a sandbox CSP,
/// attachment for anything a browser would run), never as active content on the gateway's origin.
/// </summary>
public sealed partial class ContentRelay(SeederLookup lookup, IHttpClientFactory httpClients, IOptions<GatewayOptions> options, ILogger<ContentRelay> logger)
{
    public const string HttpClientName = "content-relay";

    private const int BufferBytes = 64 * 1024;
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private readonly SemaphoreSlim _slots = new(options.Value.MaxRelays, options.Value.MaxRelays);
    private readonly TimeSpan _readTimeout = options.Value.RelayReadTimeout;

    public async Task ServeAsync(HttpContext context, string infoHash, string? path)
    {
        context.Response.OnStarting(static state =>
        {
            SafeContentHeaders.Apply((HttpResponse)state);
            return Task.CompletedTask;
        }, context.Response);
        var cancellationToken = context.RequestAborted;
        if (!Id160.TryParse(infoHash.ToLowerInvariant(), out var id))
        {
            await Problem(context, 400, "Bad info-hash", $"'{infoHash}' is not an info-hash: it is 40 hexadecimal digits.");
            return;
        }
        var (outcome, torrent) = await lookup.TorrentAsync(id, cancellationToken);
        if (outcome == SeederLookup.Outcome.TrackerUnavailable)
        {
            await Problem(context, 503, "Tracker unavailable", "No chord node answered, so the gateway cannot tell what the file is. Try again shortly.");
            return;
        }
        if (torrent is null)
        {
            await Problem(context, 404, "Unknown file", $"No file with info-hash {id} was ever published.");
            return;
        }
        if (FindFile(torrent, path) is not { } file)
        {
            await Problem(context, 404, "No such file", torrent.IsMultiFile && string.IsNullOrEmpty(path)
                ? $"{torrent.Name} is a folder: name one of its files, /files/{id}/{{path}} (there is no listing)."
                : $"{torrent.Name} has no file '{path}'.");
            return;
        }
        if (!_slots.Wait(0))
        {
            context.Response.Headers.RetryAfter = "5";
            await Problem(context, 503, "Too many relays", "The gateway relays as many files as it may at once; try again in a few seconds.");
            return;
        }
        try
        {
            await RelayAsync(context, id, torrent, file, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// The file a path names: a single-file torrent answers to no path or its name (BEP 19 appends the name to a url
    /// ending in '/'); a folder's file to its path inside the folder, with or without the folder's name in front.
    /// </summary>
    public static TorrentFile? FindFile(TorrentMetainfo torrent, string? path)
    {
        path = path?.Trim('/');
        if (!torrent.IsMultiFile) return string.IsNullOrEmpty(path) || path == torrent.Name ? torrent.Files[0] : null;
        if (string.IsNullOrEmpty(path)) return null;
        var inside = path.StartsWith(torrent.Name + "/", StringComparison.Ordinal) ? path[(torrent.Name.Length + 1)..] : null;
        return (inside is null ? null : torrent.Files.FirstOrDefault(f => Matches(f, inside)))
            ?? torrent.Files.FirstOrDefault(f => Matches(f, path));
    }

    private static bool Matches(TorrentFile file, string path) => file.DisplayPath == path || PathOnPeer(file) == path;

    /// <summary>The path the peer serves a folder's file under (its API shows paths made safe the same way).</summary>
    private static string PathOnPeer(TorrentFile file) => string.Join('/', SafeName.SanitizePath(file.Path) ?? file.Path);

    private async Task RelayAsync(HttpContext context, Id160 id, TorrentMetainfo torrent, TorrentFile file, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var head = HttpMethods.IsHead(request.Method);
        var kind = ByteRange.Resolve(request.Headers.Range.ToString(), file.Length, out var range);
        var name = file.Path[^1];
        if (kind == ByteRange.Kind.Unsatisfiable)
        {
            context.Response.Headers.ContentRange = $"bytes */{file.Length}";
            await Problem(context, 416, "Range not satisfiable", $"{name} is {file.Length} bytes long.");
            return;
        }
        var seeders = await lookup.SeedersAsync(id, cancellationToken);
        if (seeders.Count == 0)
        {
            await Problem(context, 503, "No seeder online", $"Nobody who holds {torrent.Name} whole is online now. Try again later.");
            return;
        }
        var suffix = torrent.IsMultiFile ? "/" + string.Join('/', PathOnPeer(file).Split('/').Select(Uri.EscapeDataString)) : "";
        var client = httpClients.CreateClient(HttpClientName);
        var response = context.Response;
        var next = range.Start;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            foreach (var (peerId, apiUrl) in seeders)
            {
                if (response.HasStarted) GatewayTelemetry.RelayFailovers.Add(1);
                using var upstream = new HttpRequestMessage(head ? HttpMethod.Head : HttpMethod.Get, $"{apiUrl}/public/files/{id}{suffix}");
                if (file.Length > 0) upstream.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(next, range.End);
                HttpResponseMessage answer;
                try
                {
                    using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    connect.CancelAfter(_readTimeout);
                    answer = await client.SendAsync(upstream, HttpCompletionOption.ResponseHeadersRead, connect.Token);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    LogSeederFailed(logger, peerId, id.ToString(), next, e.Message);
                    continue;
                }
                using (answer)
                {
                    if (Inconsistency(answer, next, range.End, file.Length) is { } wrong)
                    {
                        LogSeederFailed(logger, peerId, id.ToString(), next, wrong);
                        continue;
                    }
                    if (!response.HasStarted)
                    {
                        response.StatusCode = kind == ByteRange.Kind.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
                        response.ContentLength = range.Length;
                        response.Headers.AcceptRanges = "bytes";
                        if (kind == ByteRange.Kind.Partial) response.Headers.ContentRange = $"bytes {range.Start}-{range.End}/{file.Length}";
                        response.ContentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
                        response.Headers.ContentDisposition = $"inline; filename*=UTF-8''{Uri.EscapeDataString(name)}";
                        if (head || range.Length == 0)
                        {
                            await response.StartAsync(cancellationToken);
                            return;
                        }
                    }
                    LogRelaying(logger, id.ToString(), peerId, next, range.End);
                    try
                    {
                        await using var body = await answer.Content.ReadAsStreamAsync(cancellationToken);
                        while (next <= range.End)
                        {
                            int read;
                            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                            {
                                wait.CancelAfter(_readTimeout);
                                read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferBytes, range.End - next + 1)), wait.Token);
                            }
                            if (read == 0) throw new IOException("the seeder ended its response early");
                            // The client's own write: if the client is gone, so is the request (nothing to fail over).
                            await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                            next += read;
                        }
                        return;
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        LogSeederFailed(logger, peerId, id.ToString(), next, e.Message);
                    }
                }
            }
            if (!response.HasStarted)
            {
                await Problem(context, 503, "No seeder online", $"None of the {seeders.Count} seeders of {torrent.Name} the tracker lists could serve it. Try again later.");
                return;
            }
            // Every seeder failed after the first bytes went out: end the connection, so the client sees a cut
            // response (and may resume with a range) rather than a short one that looks whole.
            LogGaveUp(logger, id.ToString(), next, range.End);
            context.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Why a seeder's answer is not exactly bytes <paramref name="start"/>..<paramref name="end"/> of a file this long, or null when it is.</summary>
    public static string? Inconsistency(HttpResponseMessage answer, long start, long end, long fileLength)
    {
        var length = answer.Content.Headers.ContentLength;
        if (fileLength == 0)
            return answer.StatusCode == HttpStatusCode.OK && length == 0 ? null : $"status {(int)answer.StatusCode} and length {length} for an empty file";
        if (answer.StatusCode == HttpStatusCode.PartialContent)
        {
            var range = answer.Content.Headers.ContentRange;
            if (range is not { HasRange: true, HasLength: true } || range.From != start || range.To != end || range.Length != fileLength)
                return $"Content-Range '{range}' where bytes {start}-{end}/{fileLength} were asked for";
            return length == end - start + 1 ? null : $"Content-Length {length} for {end - start + 1} bytes";
        }
        if (answer.StatusCode == HttpStatusCode.OK)
            return start == 0 && end == fileLength - 1 && length == fileLength ? null : $"the whole file ({length} bytes) where bytes {start}-{end}/{fileLength} were asked for";
        return $"status {(int)answer.StatusCode}";
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);

    [LoggerMessage(Level = LogLevel.Information, Message = "Relaying {InfoHash} bytes {Start}-{End} from peer {PeerId}")]
    private static partial void LogRelaying(ILogger logger, string infoHash, long peerId, long start, long end);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seeder {PeerId} failed to serve {InfoHash} from byte {Offset}: {Reason}; trying the next")]
    private static partial void LogSeederFailed(ILogger logger, long peerId, string infoHash, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No seeder could continue {InfoHash} at byte {Offset} of {End}; the response is cut")]
    private static partial void LogGaveUp(ILogger logger, string infoHash, long offset, long end);
}
