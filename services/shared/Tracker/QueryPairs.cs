using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Shared.Tracker;

/// <summary>
/// Splits a raw query string into (key, raw value) pairs without decoding or allocating. Keys are
/// compared undecoded: every key a tracker reads is plain ASCII.
/// </summary>
public ref struct QueryPairs(ReadOnlySpan<char> query)
{
    private ReadOnlySpan<char> _rest = query.StartsWith('?') ? query[1..] : query;

    public QueryPair Current { get; private set; }

    public readonly QueryPairs GetEnumerator() => this;

    public bool MoveNext()
    {
        while (!_rest.IsEmpty)
        {
            var end = _rest.IndexOf('&');
            var pair = end < 0 ? _rest : _rest[..end];
            _rest = end < 0 ? default : _rest[(end + 1)..];
            if (pair.IsEmpty) continue;
            var equals = pair.IndexOf('=');
            Current = equals < 0 ? new QueryPair(pair, default) : new QueryPair(pair[..equals], pair[(equals + 1)..]);
            return true;
        }
        return false;
    }

    /// <summary>Percent-decodes (and '+' to space) into bytes; false for bad escapes, non-byte chars or overflow.</summary>
    public static bool TryDecode(ReadOnlySpan<char> raw, Span<byte> destination, out int written)
    {
        written = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (written == destination.Length) return false;
            var ch = raw[i];
            if (ch == '%')
            {
                if (i + 2 >= raw.Length) return false;
                var hi = HexValue(raw[i + 1]);
                var lo = HexValue(raw[i + 2]);
                if ((hi | lo) < 0) return false;
                destination[written++] = (byte)(hi << 4 | lo);
                i += 2;
            }
            else if (ch == '+')
            {
                destination[written++] = (byte)' ';
            }
            else if (ch <= 0xFF)
            {
                destination[written++] = (byte)ch;
            }
            else
            {
                return false;
            }
        }
        return true;
    }

    public static bool TryDecodeId(ReadOnlySpan<char> raw, out Id160 id)
    {
        Span<byte> bytes = stackalloc byte[Id160.ByteLength + 1];
        id = default;
        if (!TryDecode(raw, bytes, out var written) || written != Id160.ByteLength) return false;
        id = new Id160(bytes[..Id160.ByteLength]);
        return true;
    }

    /// <summary>A non-negative decimal number (at most 18 digits, so it fits a long).</summary>
    public static bool TryDecodeNumber(ReadOnlySpan<char> raw, Span<byte> scratch, out long number)
    {
        number = 0;
        if (!TryDecode(raw, scratch, out var written) || written is 0 or > 18) return false;
        foreach (var digit in scratch[..written])
        {
            if (digit is < (byte)'0' or > (byte)'9') return false;
            number = number * 10 + (digit - '0');
        }
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
