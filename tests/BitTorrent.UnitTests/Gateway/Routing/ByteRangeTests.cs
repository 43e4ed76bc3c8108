using BitTorrent.Gateway.Routing;

namespace BitTorrent.UnitTests.Gateway.Routing;

public class ByteRangeTests
{
    [Theory]
    [InlineData(null, ByteRange.Kind.Whole, 0, 999)]
    [InlineData("bytes=0-", ByteRange.Kind.Partial, 0, 999)]
    [InlineData("bytes=100-199", ByteRange.Kind.Partial, 100, 199)]
    [InlineData("bytes=900-5000", ByteRange.Kind.Partial, 900, 999)]
    [InlineData("bytes=-10", ByteRange.Kind.Partial, 990, 999)]
    [InlineData("bytes=-5000", ByteRange.Kind.Partial, 0, 999)]
    [InlineData("bytes=1000-", ByteRange.Kind.Unsatisfiable, 0, 999)]
    [InlineData("bytes=-0", ByteRange.Kind.Unsatisfiable, 0, 999)]
    [InlineData("bytes=0-1,5-6", ByteRange.Kind.Whole, 0, 999)]
    [InlineData("items=0-1", ByteRange.Kind.Whole, 0, 999)]
    [InlineData("bytes=nonsense", ByteRange.Kind.Whole, 0, 999)]
    public void A_range_header_resolves_against_a_1000_byte_file(string? header, ByteRange.Kind kind, long start, long end)
    {
        Assert.Equal(kind, ByteRange.Resolve(header, 1000, out var range));
        if (kind != ByteRange.Kind.Unsatisfiable) Assert.Equal(new ByteRange(start, end), range);
    }

    [Fact]
    public void Any_range_of_an_empty_file_is_unsatisfiable_and_no_range_is_the_empty_whole()
    {
        Assert.Equal(ByteRange.Kind.Unsatisfiable, ByteRange.Resolve("bytes=0-", 0, out _));
        Assert.Equal(ByteRange.Kind.Whole, ByteRange.Resolve(null, 0, out var whole));
        Assert.Equal(0, whole.Length);
    }
}
