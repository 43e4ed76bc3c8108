using System.Diagnostics.CodeAnalysis;
using System.Net;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Tracker;

public enum AnnounceEvent
{
    None,
    Started,
    Completed,
    Stopped,
}

/// <summary>A parsed BEP 3 announce (with BEP 23's compact flag).</summary>
public readonly record struct AnnounceRequest(
    Id160 InfoHash,
    Id160 PeerId,
    int Port,
    long Uploaded,
    long Downloaded,
    long Left,
    AnnounceEvent Event,
    int NumWant,
    bool Compact,
    bool NoPeerId,
    IPAddress? Ip)
{
    /// <summary>Left = 0 or a "completed" event: the peer has the whole file.</summary>
    public bool IsSeeder => Left == 0 || Event == AnnounceEvent.Completed;

    /// <summary>
    /// Parses the raw (still percent-encoded) query string, with or without its leading '?'. info_hash
    /// and peer_id are binary, so they are decoded here byte by byte rather than as text.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> query, int defaultNumWant, int maxNumWant,
        out AnnounceRequest request, [NotNullWhen(false)] out string? failure)
    {
        request = default;
        Id160? infoHash = null, peerId = null;
        int? port = null;
        long uploaded = 0, downloaded = 0, left = -1;
        var announceEvent = AnnounceEvent.None;
        var numWant = defaultNumWant;
        var compact = true;
        var noPeerId = false;
        IPAddress? ip = null;
        Span<byte> value = stackalloc byte[64];

        foreach (var (key, rawValue) in new QueryPairs(query))
        {
            switch (key)
            {
                case "info_hash":
                    if (!QueryPairs.TryDecodeId(rawValue, out var hash)) return Fail("info_hash must be 20 bytes", out request, out failure);
                    infoHash = hash;
                    break;
                case "peer_id":
                    if (!QueryPairs.TryDecodeId(rawValue, out var peer)) return Fail("peer_id must be 20 bytes", out request, out failure);
                    peerId = peer;
                    break;
                case "port":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out var p) || p is < 1 or > 65535)
                        return Fail("port must be a number from 1 to 65535", out request, out failure);
                    port = (int)p;
                    break;
                case "uploaded":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out uploaded)) return Fail("uploaded must be a non-negative number", out request, out failure);
                    break;
                case "downloaded":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out downloaded)) return Fail("downloaded must be a non-negative number", out request, out failure);
                    break;
                case "left":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out left)) return Fail("left must be a non-negative number", out request, out failure);
                    break;
                case "numwant":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out var n)) return Fail("numwant must be a non-negative number", out request, out failure);
                    numWant = (int)Math.Min(n, maxNumWant);
                    break;
                case "compact":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out var c) || c > 1) return Fail("compact must be 0 or 1", out request, out failure);
                    compact = c == 1;
                    break;
                case "no_peer_id":
                    noPeerId = QueryPairs.TryDecodeNumber(rawValue, value, out var np) && np == 1;
                    break;
                case "event":
                    if (!QueryPairs.TryDecode(rawValue, value, out var eventLength)) return Fail("unknown event", out request, out failure);
                    announceEvent = value[..eventLength] switch
                    {
                        [] => AnnounceEvent.None,
                        var e when e.SequenceEqual("empty"u8) => AnnounceEvent.None,
                        var e when e.SequenceEqual("started"u8) => AnnounceEvent.Started,
                        var e when e.SequenceEqual("completed"u8) => AnnounceEvent.Completed,
                        var e when e.SequenceEqual("stopped"u8) => AnnounceEvent.Stopped,
                        _ => (AnnounceEvent)(-1),
                    };
                    if (announceEvent < 0) return Fail("unknown event", out request, out failure);
                    break;
                case "ip":
                    // Only an IP literal is usable (compact peers are addresses); anything else falls back to the connection's address.
                    if (QueryPairs.TryDecode(rawValue, value, out var ipLength)
                        && IPAddress.TryParse(System.Text.Encoding.ASCII.GetString(value[..ipLength]), out var parsed))
                        ip = parsed;
                    break;
            }
        }

        if (infoHash is null) return Fail("missing info_hash", out request, out failure);
        if (peerId is null) return Fail("missing peer_id", out request, out failure);
        if (port is null) return Fail("missing port", out request, out failure);

        request = new AnnounceRequest(infoHash.Value, peerId.Value, port.Value, uploaded, downloaded, left,
            announceEvent, numWant, compact, noPeerId, ip);
        failure = null;
        return true;
    }

    private static bool Fail(string message, out AnnounceRequest request, out string failure)
    {
        request = default;
        failure = message;
        return false;
    }
}

/// <summary>One undecoded key=value pair of a query string.</summary>
public readonly ref struct QueryPair(ReadOnlySpan<char> key, ReadOnlySpan<char> value)
{
    public ReadOnlySpan<char> Key { get; } = key;
    public ReadOnlySpan<char> Value { get; } = value;

    public void Deconstruct(out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        key = Key;
        value = Value;
    }
}

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
