using System.Text;
using BitTorrent.Shared.Bencode;

namespace BitTorrent.UnitTests.Shared.Bencode;

public sealed class BencodeTests
{
    private static BValue Decode(string text) => BencodeReader.Decode(Encoding.Latin1.GetBytes(text));

    [Theory]
    [InlineData("i0e")]
    [InlineData("i-42e")]
    [InlineData("i9223372036854775807e")]
    [InlineData("0:")]
    [InlineData("4:spam")]
    [InlineData("le")]
    [InlineData("li1e4:spamlee")]
    [InlineData("de")]
    [InlineData("d3:bar4:spam3:fooi42ee")]
    [InlineData("d1:ad1:bl1:ci1eeee")]
    public void Canonical_input_round_trips_byte_for_byte(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        Assert.Equal(bytes, BencodeReader.Decode(bytes).Encode());
    }

    [Fact]
    public void Built_values_encode_with_keys_in_raw_byte_order_and_decode_back()
    {
        var binary = new byte[] { 0, 255, 1, 254 };
        var value = new BDictionary
        {
            { "zeta", new BInteger(-7) },
            { "Alpha", new BList { new BString(binary), new BString("é") } },
            { "alpha", new BDictionary() },
        };
        var encoded = value.Encode();

        byte[] expected = [.. "d5:Alphal4:"u8, .. binary, .. "2:"u8, 0xc3, 0xa9, .. "e5:alphade4:zetai-7ee"u8];
        Assert.Equal(expected, encoded);
        var decoded = Assert.IsType<BDictionary>(BencodeReader.Decode(encoded));
        Assert.Equal(binary, decoded.Require<BList>("Alpha")[0].As<BString>().Bytes);
        Assert.Equal("é", decoded.Require<BList>("Alpha")[1].As<BString>().Text);
        Assert.Equal(-7, decoded.Require<BInteger>("zeta").Value);
    }

    [Fact]
    public void Source_range_covers_a_nested_value_exactly()
    {
        var bytes = Encoding.ASCII.GetBytes("d8:announce3:url4:infod4:name1:xee");
        var root = Assert.IsType<BDictionary>(BencodeReader.Decode(bytes));
        var info = root.Require<BDictionary>("info");
        Assert.Equal("d4:name1:xe", Encoding.ASCII.GetString(bytes[info.Source]));
    }

    [Theory]
    [InlineData("i01e", "leading zero")]
    [InlineData("i-0e", "negative zero")]
    [InlineData("i-e", "bare minus")]
    [InlineData("ie", "empty integer")]
    [InlineData("i12", "unterminated integer")]
    [InlineData("i1x2e", "bad digit")]
    [InlineData("01:a", "leading zero in a length")]
    [InlineData("-1:a", "negative length")]
    [InlineData("5:abc", "truncated string")]
    [InlineData("999999999999:abc", "huge length")]
    [InlineData("4spam", "length without colon")]
    [InlineData("l4:spam", "unterminated list")]
    [InlineData("d3:fooi1e", "unterminated dictionary")]
    [InlineData("d3:fooi1e3:bari2ee", "unsorted keys")]
    [InlineData("d3:fooi1e3:fooi2ee", "duplicate keys")]
    [InlineData("di1ei2ee", "integer key")]
    [InlineData("i1ei2e", "trailing data")]
    [InlineData("4:spamx", "trailing byte")]
    [InlineData("", "empty input")]
    [InlineData("x", "unknown type")]
    public void Malformed_input_is_rejected(string text, string why)
    {
        var e = Assert.Throws<BencodeException>(() => Decode(text));
        Assert.False(string.IsNullOrEmpty(e.Message), why);
        Assert.False(BencodeReader.TryDecode(Encoding.Latin1.GetBytes(text), out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_rejected_and_within_it_accepted()
    {
        var depth = BencodeReader.DefaultMaxDepth;
        var tooDeep = new string('l', depth + 1) + new string('e', depth + 1);
        var deepest = new string('l', depth) + new string('e', depth);

        Assert.Throws<BencodeException>(() => Decode(tooDeep));
        Assert.IsType<BList>(Decode(deepest));
    }

    [Fact]
    public void Very_deep_hostile_nesting_fails_cleanly_without_overflowing_the_stack()
    {
        var hostile = new string('l', 1_000_000);
        Assert.Throws<BencodeException>(() => Decode(hostile));
    }

    [Fact]
    public void Integer_of_nineteen_digits_above_long_max_is_rejected_as_malformed()
    {
        Assert.Throws<BencodeException>(() => Decode("i9999999999999999999e"));
        Assert.Throws<BencodeException>(() => Decode("i9223372036854775808e"));
        Assert.Throws<BencodeException>(() => Decode("9999999999999999999:x"));
    }

    [Fact]
    public void The_extremes_of_a_64_bit_integer_decode()
    {
        Assert.Equal(long.MaxValue, Decode("i9223372036854775807e").As<BInteger>().Value);
        Assert.Equal(long.MinValue, Decode("i-9223372036854775808e").As<BInteger>().Value);
    }
}

internal static class BValueTestExtensions
{
    public static T As<T>(this BValue value) where T : BValue => Assert.IsType<T>(value);
}
