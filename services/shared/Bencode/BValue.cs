using System.Text;

namespace BitTorrent.Shared.Bencode;

/// <summary>A bencoded value (BEP 3): byte string, integer, list or dictionary.</summary>
public abstract class BValue
{
    /// <summary>Where the value sat in the buffer it was decoded from (for the info-hash of a torrent).</summary>
    public Range Source { get; internal set; }

    public byte[] Encode() => BencodeWriter.Encode(this);
}

public sealed class BString(byte[] bytes) : BValue, IEquatable<BString>, IComparable<BString>
{
    public byte[] Bytes { get; } = bytes;

    public BString(string text) : this(Encoding.UTF8.GetBytes(text)) { }

    /// <summary>The bytes read as UTF-8 (names and text fields).</summary>
    public string Text => Encoding.UTF8.GetString(Bytes);

    public static implicit operator BString(string text) => new(text);

    public bool Equals(BString? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);
    public override bool Equals(object? obj) => Equals(obj as BString);
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Raw byte order, as BEP 3 requires for dictionary keys.</summary>
    public int CompareTo(BString? other) => other is null ? 1 : Bytes.AsSpan().SequenceCompareTo(other.Bytes);

    public override string ToString() => Text;
}

public sealed class BInteger(long value) : BValue
{
    public long Value { get; } = value;
    public static implicit operator BInteger(long value) => new(value);
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class BList : BValue, IEnumerable<BValue>
{
    private readonly List<BValue> _items = [];
    public BList() { }
    public BList(IEnumerable<BValue> items) => _items.AddRange(items);
    public int Count => _items.Count;
    public BValue this[int index] => _items[index];
    public void Add(BValue value) => _items.Add(value);
    public IEnumerator<BValue> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A dictionary; keys are kept in raw byte order so encoding is canonical.</summary>
public sealed class BDictionary : BValue, IEnumerable<KeyValuePair<BString, BValue>>
{
    private readonly SortedDictionary<BString, BValue> _items = new();

    public int Count => _items.Count;

    public BValue? this[string key]
    {
        get => _items.GetValueOrDefault(new BString(key));
        set
        {
            if (value is null) _items.Remove(new BString(key));
            else _items[new BString(key)] = value;
        }
    }

    public void Add(string key, BValue value) => _items.Add(new BString(key), value);
    internal bool TryAdd(BString key, BValue value) => _items.TryAdd(key, value);
    public bool ContainsKey(string key) => _items.ContainsKey(new BString(key));

    public T? Get<T>(string key) where T : BValue => this[key] as T;

    /// <summary>The value of a required key of a given type, or a <see cref="BencodeException"/> naming it.</summary>
    public T Require<T>(string key) where T : BValue =>
        this[key] switch
        {
            T value => value,
            null => throw new BencodeException($"missing key '{key}'"),
            _ => throw new BencodeException($"key '{key}' is not a {typeof(T).Name[1..].ToLowerInvariant()}"),
        };

    public IEnumerator<KeyValuePair<BString, BValue>> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Malformed bencoded input, or a value of the wrong shape.</summary>
public sealed class BencodeException(string message) : FormatException(message);
