using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace BitTorrent.Shared.Identifiers;

/// <summary>
/// A 160-bit identifier on the Chord ring (SHA-1 sized): node ids, key ids and info-hashes.
/// Stored as three big-endian words so comparisons and additions need no allocation.
/// </summary>
[JsonConverter(typeof(Id160JsonConverter))]
public readonly struct Id160 : IEquatable<Id160>, IComparable<Id160>, ISpanFormattable
{
    public const int Bits = 160;
    public const int ByteLength = 20;

    private readonly uint _hi;   // bits 159..128
    private readonly ulong _mid; // bits 127..64
    private readonly ulong _lo;  // bits 63..0

    public Id160(uint hi, ulong mid, ulong lo) => (_hi, _mid, _lo) = (hi, mid, lo);

    public Id160(ReadOnlySpan<byte> bigEndian)
    {
        if (bigEndian.Length != ByteLength)
            throw new ArgumentException($"An identifier is {ByteLength} bytes, not {bigEndian.Length}.", nameof(bigEndian));
        _hi = BinaryPrimitives.ReadUInt32BigEndian(bigEndian);
        _mid = BinaryPrimitives.ReadUInt64BigEndian(bigEndian[4..]);
        _lo = BinaryPrimitives.ReadUInt64BigEndian(bigEndian[12..]);
    }

    public static Id160 Zero => default;
    public static Id160 Max => new(uint.MaxValue, ulong.MaxValue, ulong.MaxValue);

    /// <summary>SHA-1 of the UTF-8 text: how node addresses and DHT keys are placed on the ring.</summary>
    public static Id160 Hash(string text)
    {
        Span<byte> digest = stackalloc byte[ByteLength];
        var byteCount = Encoding.UTF8.GetByteCount(text);
        var buffer = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(text, buffer);
        SHA1.HashData(buffer, digest);
        return new Id160(digest);
    }

    public static Id160 Hash(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[ByteLength];
        SHA1.HashData(data, digest);
        return new Id160(digest);
    }

    /// <summary>2^exponent modulo 2^160, for finger starts.</summary>
    public static Id160 PowerOfTwo(int exponent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(exponent);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(exponent, Bits);
        return exponent switch
        {
            < 64 => new Id160(0, 0, 1UL << exponent),
            < 128 => new Id160(0, 1UL << (exponent - 64), 0),
            _ => new Id160(1U << (exponent - 128), 0, 0),
        };
    }

    /// <summary>Addition modulo 2^160.</summary>
    public static Id160 operator +(Id160 a, Id160 b)
    {
        var lo = a._lo + b._lo;
        var carry = lo < a._lo ? 1UL : 0UL;
        var mid = a._mid + b._mid + carry;
        var carry2 = (mid < a._mid || (carry == 1 && mid == a._mid)) ? 1U : 0U;
        var hi = a._hi + b._hi + carry2;
        return new Id160(hi, mid, lo);
    }

    /// <summary>Subtraction modulo 2^160: the clockwise distance from b to a.</summary>
    public static Id160 operator -(Id160 a, Id160 b)
    {
        var lo = a._lo - b._lo;
        var borrow = a._lo < b._lo ? 1UL : 0UL;
        var mid = a._mid - b._mid - borrow;
        var borrow2 = (a._mid < b._mid || (borrow == 1 && a._mid == b._mid)) ? 1U : 0U;
        var hi = a._hi - b._hi - borrow2;
        return new Id160(hi, mid, lo);
    }

    /// <summary>x ∈ (from, to] walking clockwise; when from == to the interval is the whole ring.</summary>
    public static bool InHalfOpen(Id160 x, Id160 from, Id160 to)
    {
        if (from == to) return true;
        // Compare clockwise distances from 'from': 0 < d(x) <= d(to).
        var dx = x - from;
        var dto = to - from;
        return dx != Zero && dx <= dto;
    }

    /// <summary>x ∈ (from, to) walking clockwise; when from == to it is the ring minus that point.</summary>
    public static bool InOpen(Id160 x, Id160 from, Id160 to)
    {
        if (from == to) return x != from;
        var dx = x - from;
        var dto = to - from;
        return dx != Zero && dx < dto;
    }

    public void WriteBigEndian(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[4..], _mid);
        BinaryPrimitives.WriteUInt64BigEndian(destination[12..], _lo);
    }

    public byte[] ToByteArray()
    {
        var bytes = new byte[ByteLength];
        WriteBigEndian(bytes);
        return bytes;
    }

    /// <summary>The id modulo a small number, e.g. the catalog partition of an info-hash.</summary>
    public int Mod(int divisor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(divisor);
        var d = (ulong)divisor;
        var r = (ulong)_hi % d;
        r = (ulong)(((UInt128)r << 64 | _mid) % d);
        r = (ulong)(((UInt128)r << 64 | _lo) % d);
        return (int)r;
    }

    public static Id160 Parse(string hex) =>
        TryParse(hex, out var id) ? id : throw new FormatException($"'{hex}' is not 40 hexadecimal digits.");

    public static bool TryParse([NotNullWhen(true)] string? hex, out Id160 id)
    {
        id = default;
        if (hex is null || hex.Length != 2 * ByteLength) return false;
        Span<byte> bytes = stackalloc byte[ByteLength];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != OperationStatus.Done || written != ByteLength)
            return false;
        id = new Id160(bytes);
        return true;
    }

    public override string ToString() => string.Create(2 * ByteLength, this, static (span, id) => id.TryFormat(span, out _, default, null));

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        charsWritten = 0;
        if (destination.Length < 2 * ByteLength) return false;
        Span<byte> bytes = stackalloc byte[ByteLength];
        WriteBigEndian(bytes);
        Convert.TryToHexStringLower(bytes, destination, out charsWritten);
        return true;
    }

    /// <summary>A short prefix for logs.</summary>
    public string Short => ToString()[..8];

    public bool Equals(Id160 other) => _hi == other._hi && _mid == other._mid && _lo == other._lo;
    public override bool Equals(object? obj) => obj is Id160 other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(_hi, _mid, _lo);

    public int CompareTo(Id160 other)
    {
        var c = _hi.CompareTo(other._hi);
        if (c != 0) return c;
        c = _mid.CompareTo(other._mid);
        return c != 0 ? c : _lo.CompareTo(other._lo);
    }

    public static bool operator ==(Id160 a, Id160 b) => a.Equals(b);
    public static bool operator !=(Id160 a, Id160 b) => !a.Equals(b);
    public static bool operator <(Id160 a, Id160 b) => a.CompareTo(b) < 0;
    public static bool operator >(Id160 a, Id160 b) => a.CompareTo(b) > 0;
    public static bool operator <=(Id160 a, Id160 b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Id160 a, Id160 b) => a.CompareTo(b) >= 0;
}
