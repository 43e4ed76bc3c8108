namespace BitTorrent.Shared.Bencode;

/// <summary>
/// Strict BEP 3 decoder: rejects leading zeros, "-0", unsorted or duplicate dictionary keys,
/// truncated input, trailing bytes and nesting deeper than a limit, so hostile input fails cleanly.
/// </summary>
public static class BencodeReader
{
    public const int DefaultMaxDepth = 64;

    public static BValue Decode(ReadOnlySpan<byte> input, int maxDepth = DefaultMaxDepth)
    {
        var position = 0;
        var value = ReadValue(input, ref position, maxDepth);
        if (position != input.Length)
            throw new BencodeException($"unexpected data after the value at byte {position}");
        return value;
    }

    /// <summary>
    /// Reads one value from the start of <paramref name="input"/> and says where it ended; what follows is the
    /// caller's (a BEP 9 data message carries the metadata piece right after its dictionary).
    /// </summary>
    public static BValue DecodePrefix(ReadOnlySpan<byte> input, out int consumed, int maxDepth = DefaultMaxDepth)
    {
        var position = 0;
        var value = ReadValue(input, ref position, maxDepth);
        consumed = position;
        return value;
    }

    public static bool TryDecode(ReadOnlySpan<byte> input, out BValue? value, out string? error)
    {
        try
        {
            value = Decode(input);
            error = null;
            return true;
        }
        catch (BencodeException e)
        {
            value = null;
            error = e.Message;
            return false;
        }
    }

    private static BValue ReadValue(ReadOnlySpan<byte> input, ref int position, int depthLeft)
    {
        if (position >= input.Length) throw new BencodeException("unexpected end of input");
        var start = position;
        BValue value = input[position] switch
        {
            (byte)'i' => ReadInteger(input, ref position),
            (byte)'l' => ReadList(input, ref position, depthLeft),
            (byte)'d' => ReadDictionary(input, ref position, depthLeft),
            >= (byte)'0' and <= (byte)'9' => ReadString(input, ref position),
            var b => throw new BencodeException($"unexpected byte 0x{b:x2} at {position}"),
        };
        value.Source = new Range(start, position);
        return value;
    }

    private static BInteger ReadInteger(ReadOnlySpan<byte> input, ref int position)
    {
        position++; // 'i'
        var end = input[position..].IndexOf((byte)'e');
        if (end < 0) throw new BencodeException("unterminated integer");
        var digits = input.Slice(position, end);
        var value = ParseInteger(digits, allowNegative: true, position);
        position += end + 1;
        return new BInteger(value);
    }

    private static long ParseInteger(ReadOnlySpan<byte> digits, bool allowNegative, int at)
    {
        if (digits.IsEmpty) throw new BencodeException($"empty number at {at}");
        var negative = digits[0] == '-';
        if (negative)
        {
            if (!allowNegative) throw new BencodeException($"negative length at {at}");
            digits = digits[1..];
            if (digits.IsEmpty) throw new BencodeException($"bare '-' at {at}");
        }
        if (digits.Length > 1 && digits[0] == '0') throw new BencodeException($"leading zero at {at}");
        if (negative && digits is [(byte)'0']) throw new BencodeException($"negative zero at {at}");
        if (digits.Length > 19) throw new BencodeException($"number too large at {at}");
        ulong magnitude = 0;
        foreach (var d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9') throw new BencodeException($"bad digit at {at}");
            magnitude = magnitude * 10 + (ulong)(d - '0'); // 19 digits cannot overflow a ulong
        }
        var limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        if (magnitude > limit) throw new BencodeException($"number too large at {at}");
        return negative ? (long)(0 - magnitude) : (long)magnitude;
    }

    private static BString ReadString(ReadOnlySpan<byte> input, ref int position)
    {
        var colon = input[position..].IndexOf((byte)':');
        if (colon < 0) throw new BencodeException("string without ':'");
        var length = ParseInteger(input.Slice(position, colon), allowNegative: false, position);
        position += colon + 1;
        if (length > input.Length - position) throw new BencodeException($"string of {length} bytes runs past the end");
        var bytes = input.Slice(position, (int)length).ToArray();
        position += (int)length;
        return new BString(bytes);
    }

    private static BList ReadList(ReadOnlySpan<byte> input, ref int position, int depthLeft)
    {
        if (depthLeft <= 0) throw new BencodeException("nesting too deep");
        position++; // 'l'
        var list = new BList();
        while (true)
        {
            if (position >= input.Length) throw new BencodeException("unterminated list");
            if (input[position] == 'e') { position++; return list; }
            list.Add(ReadValue(input, ref position, depthLeft - 1));
        }
    }

    private static BDictionary ReadDictionary(ReadOnlySpan<byte> input, ref int position, int depthLeft)
    {
        if (depthLeft <= 0) throw new BencodeException("nesting too deep");
        position++; // 'd'
        var dictionary = new BDictionary();
        BString? previous = null;
        while (true)
        {
            if (position >= input.Length) throw new BencodeException("unterminated dictionary");
            if (input[position] == 'e') { position++; return dictionary; }
            if (input[position] is < (byte)'0' or > (byte)'9') throw new BencodeException($"dictionary key is not a string at {position}");
            var key = ReadString(input, ref position);
            if (previous is not null && previous.CompareTo(key) >= 0)
                throw new BencodeException($"dictionary keys unsorted or duplicated at '{key.Text}'");
            previous = key;
            dictionary.TryAdd(key, ReadValue(input, ref position, depthLeft - 1));
        }
    }
}
