using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Shared.Torrents;

public class MagnetLinkTests
{
    private const string Hex = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";

    [Fact]
    public void A_link_round_trips_with_name_and_trackers()
    {
        Assert.True(Id160.TryParse(Hex, out var hash));
        var link = MagnetLink.Create(hash, "my album", "http://127.0.0.1:5101/announce").ToString();

        Assert.Equal($"magnet:?xt=urn:btih:{Hex}&dn=my%20album&tr=http%3A%2F%2F127.0.0.1%3A5101%2Fannounce", link);
        Assert.True(MagnetLink.TryParse(link, out var parsed, out _));
        Assert.Equal(hash, parsed.InfoHash);
        Assert.Equal("my album", parsed.Name);
        Assert.Equal(["http://127.0.0.1:5101/announce"], parsed.Trackers);
    }

    [Fact]
    public void A_base32_info_hash_reads_as_its_hex_twin()
    {
        // The same 20 bytes in base32 (RFC 4648).
        Assert.True(MagnetLink.TryParse("magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK", out var parsed, out _));
        Assert.Equal(Hex, parsed.InfoHash.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("http://example.com/?xt=urn:btih:" + Hex, "starts with")]
    [InlineData("magnet:?dn=nothing", "no 'xt")]
    [InlineData("magnet:?xt=urn:btih:1234", "neither 40 hex")]
    [InlineData("magnet:?xt=urn:btih:zz2fe1c06bba254a9dc9f519b335aa7c1367a88a", "neither 40 hex")]
    [InlineData("magnet:?xt=urn:btmh:1220abcd", "v2")]
    public void Malformed_links_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(MagnetLink.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Overlong_links_and_unusable_trackers_are_bounded()
    {
        Assert.False(MagnetLink.TryParse("magnet:?xt=urn:btih:" + Hex + "&dn=" + new string('a', MagnetLink.MaxLength), out _, out _));
        var many = string.Concat(Enumerable.Range(0, 50).Select(i => $"&tr=http%3A%2F%2Ft{i}%2Fannounce"));
        Assert.True(MagnetLink.TryParse("magnet:?xt=urn:btih:" + Hex + many + "&tr=file%3A%2F%2F%2Fetc%2Fpasswd", out var parsed, out _));
        Assert.Equal(MagnetLink.MaxTrackers, parsed.Trackers.Count);
        Assert.DoesNotContain(parsed.Trackers, t => t.StartsWith("file:", StringComparison.Ordinal));
    }
}
