using Microsoft.Net.Http.Headers;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// The bytes a GET asks for, from its Range header against a file's length (RFC 9110 §14): one range of bytes
/// is served as 206; a header that is absent, not about bytes, malformed or asks for several ranges is ignored
/// (the whole file, 200); a range that starts past the end is unsatisfiable (416). End is inclusive.
/// </summary>
public readonly record struct ByteRange(long Start, long End)
{
    public enum Kind { Whole, Partial, Unsatisfiable }

    public long Length => End - Start + 1;

    public static Kind Resolve(string? header, long fileLength, out ByteRange range)
    {
        range = new ByteRange(0, fileLength - 1);
        if (string.IsNullOrEmpty(header) || !RangeHeaderValue.TryParse(header, out var parsed)) return Kind.Whole;
        if (!string.Equals(parsed.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || parsed.Ranges.Count != 1) return Kind.Whole;
        var (from, to) = (parsed.Ranges.Single().From, parsed.Ranges.Single().To);
        if (from is null)
        {
            // A suffix: the last N bytes.
            if (to is not > 0 || fileLength == 0) return Kind.Unsatisfiable;
            range = new ByteRange(Math.Max(0, fileLength - to.Value), fileLength - 1);
            return Kind.Partial;
        }
        if (to is { } last && last < from) return Kind.Whole;
        if (from >= fileLength) return Kind.Unsatisfiable;
        range = new ByteRange(from.Value, Math.Min(to ?? fileLength - 1, fileLength - 1));
        return Kind.Partial;
    }
}
