using System.Text;

namespace BitTorrent.Shared.Bencode;

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
