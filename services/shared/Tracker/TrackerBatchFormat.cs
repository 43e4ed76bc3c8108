using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace BitTorrent.Shared.Tracker;

/// <summary>
/// The body of <c>POST /tracker/batch</c>, by which the gateway hands a chord node many announces and scrapes in one
/// request instead of one request each, and of its reply. Under load most of an announce's cost is per request (a
/// wake-up, HTTP parsing, middleware, a socket write on both sides), so carrying the requests that queue for one
/// owner while its previous batch is out divides that cost among them.
/// <para>
/// A request is a sequence of items: kind (1 byte), client address (1-byte length, ASCII), traceparent (1-byte
/// length, ASCII; 0 when untraced), query string (2-byte big-endian length, UTF-8). A reply is one answer per item, in
/// order: a 4-byte big-endian length and the bencoded body the client gets, exactly what <c>GET /announce</c> or
/// <c>GET /scrape</c> would have answered it.
/// </para>
/// </summary>
public static class TrackerBatchFormat
{
    /// <summary>The chord node's route that takes a batch.</summary>
    public const string Path = "/tracker/batch";

    /// <summary>The media type of both bodies.</summary>
    public const string MediaType = "application/vnd.bittorrent.tracker-batch";

    /// <summary>The most items in one batch.</summary>
    public const int MaxItems = 256;

    /// <summary>The largest request body a node reads (256 items of the longest query Kestrel accepts fit).</summary>
    public const int MaxRequestBytes = 4 << 20;

    /// <summary>The largest reply a gateway reads (256 answers of 200 non-compact peers fit).</summary>
    public const int MaxReplyBytes = 8 << 20;

    private const int MaxQueryBytes = ushort.MaxValue;

    /// <summary>Appends one item to a request body; false (nothing written) when a field is too long to carry.</summary>
    public static bool TryWriteItem(IBufferWriter<byte> output, in TrackerBatchItem item)
    {
        var trace = item.TraceParent ?? "";
        var queryBytes = Encoding.UTF8.GetByteCount(item.Query);
        if (item.Client.Length > byte.MaxValue || trace.Length > byte.MaxValue || queryBytes > MaxQueryBytes
            || !Ascii.IsValid(item.Client) || !Ascii.IsValid(trace)) return false;
        var span = output.GetSpan(1 + 1 + item.Client.Length + 1 + trace.Length + 2 + queryBytes);
        var at = 0;
        span[at++] = (byte)item.Kind;
        span[at++] = (byte)item.Client.Length;
        at += Encoding.ASCII.GetBytes(item.Client, span[at..]);
        span[at++] = (byte)trace.Length;
        at += Encoding.ASCII.GetBytes(trace, span[at..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)queryBytes);
        at += 2;
        at += Encoding.UTF8.GetBytes(item.Query, span[at..]);
        output.Advance(at);
        return true;
    }

    /// <summary>Reads a request body; a false return says what is wrong with it.</summary>
    public static bool TryReadItems(ReadOnlySpan<byte> body, List<TrackerBatchItem> items, out string? error)
    {
        items.Clear();
        error = null;
        while (!body.IsEmpty)
        {
            if (items.Count == MaxItems) { error = $"a batch holds at most {MaxItems} items"; return false; }
            if (body.Length < 2 || body[0] is not ((byte)TrackerRequestKind.Announce or (byte)TrackerRequestKind.Scrape))
            {
                error = $"item {items.Count}: unknown kind";
                return false;
            }
            var kind = (TrackerRequestKind)body[0];
            body = body[1..];
            if (!TryTake(ref body, body[0], 1, out var client) || !Ascii.IsValid(client)) { error = $"item {items.Count}: bad client address"; return false; }
            if (body.IsEmpty || !TryTake(ref body, body[0], 1, out var trace) || !Ascii.IsValid(trace)) { error = $"item {items.Count}: bad traceparent"; return false; }
            if (body.Length < 2 || !TryTake(ref body, BinaryPrimitives.ReadUInt16BigEndian(body), 2, out var query) || !Utf8.IsValid(query))
            {
                error = $"item {items.Count}: bad query";
                return false;
            }
            items.Add(new TrackerBatchItem(kind, Encoding.ASCII.GetString(client), trace.IsEmpty ? null : Encoding.ASCII.GetString(trace), Encoding.UTF8.GetString(query)));
        }
        if (items.Count == 0) { error = "a batch holds at least one item"; return false; }
        return true;
    }

    /// <summary>Appends one item's answer to a reply body.</summary>
    public static void WriteAnswer(IBufferWriter<byte> output, ReadOnlySpan<byte> answer)
    {
        var span = output.GetSpan(4 + answer.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, answer.Length);
        answer.CopyTo(span[4..]);
        output.Advance(4 + answer.Length);
    }

    /// <summary>Splits a reply into its answers (slices of <paramref name="body"/>); false unless it holds exactly one per item.</summary>
    public static bool TryReadAnswers(ReadOnlyMemory<byte> body, Span<ReadOnlyMemory<byte>> answers)
    {
        var at = 0;
        for (var i = 0; i < answers.Length; i++)
        {
            if (body.Length - at < 4) return false;
            var length = BinaryPrimitives.ReadInt32BigEndian(body.Span[at..]);
            at += 4;
            if (length < 0 || length > body.Length - at) return false;
            answers[i] = body.Slice(at, length);
            at += length;
        }
        return at == body.Length;
    }

    /// <summary>Takes a length-prefixed field whose <paramref name="length"/> is read from a <paramref name="prefix"/>-byte prefix.</summary>
    private static bool TryTake(ref ReadOnlySpan<byte> body, int length, int prefix, out ReadOnlySpan<byte> field)
    {
        field = default;
        if (body.Length < prefix + length) return false;
        field = body.Slice(prefix, length);
        body = body[(prefix + length)..];
        return true;
    }
}
