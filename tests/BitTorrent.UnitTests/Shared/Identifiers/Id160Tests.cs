using System.Numerics;
using System.Text.Json;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.Shared.Identifiers;

public sealed class Id160Tests
{
    private static readonly BigInteger Ring = BigInteger.One << 160;

    private static Id160 Id(BigInteger value)
    {
        value = ((value % Ring) + Ring) % Ring;
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[20];
        bytes.CopyTo(padded, 20 - bytes.Length);
        return new Id160(padded);
    }

    private static BigInteger Big(Id160 id) => new(id.ToByteArray(), isUnsigned: true, isBigEndian: true);

    public static TheoryData<string, string> Pairs => new()
    {
        { "0000000000000000000000000000000000000000", "0000000000000000000000000000000000000001" },
        { "ffffffffffffffffffffffffffffffffffffffff", "0000000000000000000000000000000000000001" },
        { "00000000ffffffffffffffffffffffffffffffff", "0000000000000000000000000000000000000001" },
        { "000000000000000000000000ffffffffffffffff", "0000000000000000000000000000000000000001" },
        { "0123456789abcdef0123456789abcdef01234567", "fedcba9876543210fedcba9876543210fedcba98" },
        { "8000000000000000000000000000000000000000", "8000000000000000000000000000000000000000" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Addition_and_subtraction_are_modulo_two_to_the_160(string a, string b)
    {
        var x = Id160.Parse(a);
        var y = Id160.Parse(b);
        Assert.Equal(Id(Big(x) + Big(y)), x + y);
        Assert.Equal(Id(Big(x) - Big(y)), x - y);
        Assert.Equal(Id(Big(y) - Big(x)), y - x);
        Assert.Equal(x, x + y - y);
    }

    [Fact]
    public void Random_arithmetic_agrees_with_big_integers()
    {
        var random = new Random(160);
        var bytes = new byte[20];
        for (var i = 0; i < 1000; i++)
        {
            random.NextBytes(bytes);
            var x = new Id160(bytes);
            random.NextBytes(bytes);
            var y = new Id160(bytes);
            Assert.Equal(Id(Big(x) + Big(y)), x + y);
            Assert.Equal(Id(Big(x) - Big(y)), x - y);
            Assert.Equal(Big(x).CompareTo(Big(y)), Math.Sign(x.CompareTo(y)));
            Assert.Equal((int)(Big(x) % 16), x.Mod(16));
            Assert.Equal((int)(Big(x) % 1_000_003), x.Mod(1_000_003));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(159)]
    public void PowerOfTwo_is_exact(int exponent) => Assert.Equal(Id(BigInteger.One << exponent), Id160.PowerOfTwo(exponent));

    [Theory]
    [InlineData(-1)]
    [InlineData(160)]
    public void PowerOfTwo_outside_the_ring_is_rejected(int exponent) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Id160.PowerOfTwo(exponent));

    [Fact]
    public void PowerOfTwo_159_doubled_wraps_to_zero() =>
        Assert.Equal(Id160.Zero, Id160.PowerOfTwo(159) + Id160.PowerOfTwo(159));

    [Theory]
    // (from, to, x, in (from,to], in (from,to))
    [InlineData(10, 20, 15, true, true)]
    [InlineData(10, 20, 20, true, false)]
    [InlineData(10, 20, 10, false, false)]
    [InlineData(10, 20, 5, false, false)]
    [InlineData(10, 20, 25, false, false)]
    // wrap-around: (250, 5] over the top of the ring (scaled to the 2^160 ring below)
    [InlineData(250, 5, 255, true, true)]
    [InlineData(250, 5, 0, true, true)]
    [InlineData(250, 5, 5, true, false)]
    [InlineData(250, 5, 250, false, false)]
    [InlineData(250, 5, 100, false, false)]
    public void Intervals_walk_clockwise_and_wrap(int from, int to, int x, bool inHalfOpen, bool inOpen)
    {
        // Scale a 256-point ring onto the top byte so wrap-around crosses 2^160.
        static Id160 At(int point) => Id((BigInteger)point << 152);
        Assert.Equal(inHalfOpen, Id160.InHalfOpen(At(x), At(from), At(to)));
        Assert.Equal(inOpen, Id160.InOpen(At(x), At(from), At(to)));
    }

    [Fact]
    public void Interval_with_equal_ends_is_the_whole_ring()
    {
        var a = Id160.Hash("node");
        Assert.True(Id160.InHalfOpen(a, a, a));
        Assert.True(Id160.InHalfOpen(a + Id160.PowerOfTwo(0), a, a));
        Assert.True(Id160.InHalfOpen(a - Id160.PowerOfTwo(0), a, a));
        Assert.False(Id160.InOpen(a, a, a));
        Assert.True(Id160.InOpen(a + Id160.PowerOfTwo(0), a, a));
    }

    [Fact]
    public void Interval_between_max_and_zero_holds_only_zero()
    {
        Assert.True(Id160.InHalfOpen(Id160.Zero, Id160.Max, Id160.Zero));
        Assert.False(Id160.InOpen(Id160.Zero, Id160.Max, Id160.Zero));
        Assert.False(Id160.InHalfOpen(Id160.Max, Id160.Max, Id160.Zero));
    }

    [Fact]
    public void Mod_of_small_values_and_divisor_checks()
    {
        Assert.Equal(5, Id(21).Mod(16));
        Assert.Equal(0, Id160.Zero.Mod(16));
        Assert.Equal(0, Id160.Max.Mod(1));
        Assert.Equal((int)((Ring - 1) % 7), Id160.Max.Mod(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => Id160.Max.Mod(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Id160.Max.Mod(-3));
    }

    [Fact]
    public void Format_and_parse_round_trip_as_lower_case_hex()
    {
        var id = Id160.Hash("abc");
        Assert.Equal("a9993e364706816aba3e25717850c26c9cd0d89d", id.ToString()); // SHA-1("abc")
        Assert.Equal(id, Id160.Parse(id.ToString()));
        Assert.Equal(id, Id160.Parse(id.ToString().ToUpperInvariant()));
        Assert.Equal("a9993e36", id.Short);
        Assert.Equal($"\"{id}\"", JsonSerializer.Serialize(id));
        Assert.Equal(id, JsonSerializer.Deserialize<Id160>($"\"{id}\""));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a9993e364706816aba3e25717850c26c9cd0d89")]
    [InlineData("a9993e364706816aba3e25717850c26c9cd0d89d0")]
    [InlineData("g9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData(" a9993e364706816aba3e25717850c26c9cd0d89")]
    public void Malformed_hex_is_rejected(string? text)
    {
        Assert.False(Id160.TryParse(text, out _));
        if (text is not null) Assert.Throws<FormatException>(() => Id160.Parse(text));
    }

    [Fact]
    public void Bytes_round_trip_big_endian()
    {
        var bytes = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        var id = new Id160(bytes);
        Assert.Equal(bytes, id.ToByteArray());
        Assert.Equal("0102030405060708090a0b0c0d0e0f1011121314", id.ToString());
        Assert.Throws<ArgumentException>(() => new Id160(new byte[19]));
    }
}
