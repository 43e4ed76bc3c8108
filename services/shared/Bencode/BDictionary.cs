namespace BitTorrent.Shared.Bencode;

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
