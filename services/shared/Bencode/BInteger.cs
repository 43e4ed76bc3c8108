namespace BitTorrent.Shared.Bencode;

public sealed class BInteger(long value) : BValue
{
    public long Value { get; } = value;
    public static implicit operator BInteger(long value) => new(value);
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
