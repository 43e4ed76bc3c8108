namespace BitTorrent.Shared.Tracker;

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
