using System.Buffers;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.AspNetCore.StaticFiles;

namespace BitTorrent.Peer.Api;

/// <summary>
/// A file's bytes while it downloads (<c>api/files/{id}/content</c>): a range whose pieces are verified
/// is answered at once (206); otherwise its pieces go to the front of the download's picker
/// (<see cref="StreamingPriority"/>) and the bytes are sent as those pieces are verified, piece after
/// piece. The first piece is waited for at most <c>Peer:StreamingWait</c>, then 503 with Retry-After; a later
/// one that takes as long ends the response (the player asks again). Only verified bytes are ever sent.
/// </summary>
internal static class StreamingContent
{
    private const int RetryAfterSeconds = 5;
    private const int CopyBufferBytes = 64 * 1024;
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Serves the file at <paramref name="localPath"/>, which starts at torrent offset <paramref name="fileStart"/> (0 for a single-file torrent).</summary>
    public static async Task<IResult> ServeAsync(HttpContext context, TransferEngine engine, TimeSpan wait, Id160 infoHash, TorrentMetainfo torrent,
        string localPath, long fileStart, long fileLength, string name)
    {
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        if (!ContentTypes.TryGetContentType(name, out var contentType)) contentType = "application/octet-stream";
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ContentDisposition = $"inline; filename*=UTF-8''{Uri.EscapeDataString(name)}";
        if (!TryRange(context.Request, fileLength, out var from, out var to, out var partial))
        {
            response.Headers.ContentRange = $"bytes */{fileLength}";
            return TypedResults.Problem(title: "Range not satisfiable", detail: $"The file is {fileLength} bytes long.", statusCode: StatusCodes.Status416RangeNotSatisfiable);
        }
        if (fileLength == 0) return TypedResults.Bytes([], contentType);

        var geometry = torrent.Geometry;
        var firstPiece = (int)((fileStart + from) / geometry.PieceLength);
        var lastPiece = (int)((fileStart + to) / geometry.PieceLength);
        int ready;
        try
        {
            ready = await WaitForAsync(engine, wait, infoHash, firstPiece, lastPiece, cancellationToken);
        }
        catch (TimeoutException)
        {
            response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(title: "Not downloaded yet",
                detail: $"That part of {name} has not arrived within {wait.TotalSeconds:0} s; it is fetched first now. Try again in a few seconds.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
        {
            return TypedResults.Problem(title: "File not available", detail: $"{name} is no longer being downloaded here ({e.Message}).", statusCode: StatusCodes.Status404NotFound);
        }

        response.StatusCode = partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        if (partial) response.Headers.ContentRange = $"bytes {from}-{to}/{fileLength}";
        response.ContentType = contentType;
        response.ContentLength = to - from + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            using var file = File.OpenHandle(localPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
            var position = from;
            var piece = firstPiece;
            while (true)
            {
                // Pieces piece .. piece + ready - 1 are verified: send what of them is in the range.
                var verifiedEnd = Math.Min(to, geometry.PieceOffset(piece + ready - 1) + geometry.PieceSize(piece + ready - 1) - 1 - fileStart);
                while (position <= verifiedEnd)
                {
                    var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, (int)Math.Min(buffer.Length, verifiedEnd - position + 1)), position, cancellationToken);
                    if (read == 0) throw new IOException($"{localPath} ended at {position} bytes.");
                    await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    position += read;
                }
                if (position > to) break;
                piece += ready;
                ready = await WaitForAsync(engine, wait, infoHash, piece, lastPiece, cancellationToken);
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or KeyNotFoundException or IOException or OperationCanceledException)
        {
            context.Abort(); // the headers promised more than can be sent now: the client sees a cut response and asks again
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return TypedResults.Empty;
    }

    /// <summary>Piece <paramref name="first"/> verified (raising it and those after it to <paramref name="last"/>): the verified run from it; <see cref="TimeoutException"/> after <paramref name="wait"/>.</summary>
    private static async Task<int> WaitForAsync(TransferEngine engine, TimeSpan wait, Id160 infoHash, int first, int last, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(wait);
        try
        {
            return await engine.WaitForPiecesAsync(infoHash, first, last, bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"piece {first} was not verified within {wait}");
        }
    }

    /// <summary>The first byte range asked for, clamped to the file (a suffix range counts from its end); false when it cannot be served.</summary>
    private static bool TryRange(HttpRequest request, long length, out long from, out long to, out bool partial)
    {
        (from, to, partial) = (0, length - 1, false);
        var range = request.GetTypedHeaders().Range;
        if (range is null || !string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count == 0) return true;
        var first = range.Ranges.First();
        partial = true;
        if (first.From is null)
        {
            if (first.To is not > 0 || length == 0) return false;
            from = Math.Max(0, length - first.To.Value);
            return true;
        }
        from = first.From.Value;
        to = Math.Min(first.To ?? length - 1, length - 1);
        return from < length && from <= to;
    }
}
