using System.Text;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.UnitTests.Peer.Transfer;

public class ExtensionHandshakeTests
{
    [Fact]
    public void Our_handshake_round_trips_with_ut_metadata_size_name_and_queue()
    {
        var bytes = ExtensionHandshake.Encode(metadataSize: 40_000);

        Assert.True(ExtensionHandshake.TryParse(bytes, out var handshake, out var error), error);
        Assert.Equal(ExtensionHandshake.OurMetadataId, handshake.MetadataId);
        Assert.Equal(40_000, handshake.MetadataSize);
        Assert.Equal("D&D BitTorrent/1.0", handshake.ClientName);
        Assert.Equal(ExtensionHandshake.OurRequestQueue, handshake.RequestQueue);
    }

    [Fact]
    public void Without_metadata_the_handshake_has_no_metadata_size()
    {
        var bytes = ExtensionHandshake.Encode(metadataSize: null);

        Assert.DoesNotContain("metadata_size", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
        Assert.True(ExtensionHandshake.TryParse(bytes, out var handshake, out _));
        Assert.Null(handshake.MetadataSize);
    }

    [Fact]
    public void A_libtorrent_style_handshake_is_read_and_unknown_keys_ignored()
    {
        var bytes = Encoding.ASCII.GetBytes(
            "d12:complete_agoi-1e1:md11:lt_donthavei7e10:share_modei8e11:upload_onlyi3e12:ut_holepunchi4e11:ut_metadatai2e6:ut_pexi1ee13:metadata_sizei31235e4:reqqi500e11:upload_onlyi1e1:v18:libtorrent/2.0.8.06:yourip4:\u007f\0\0\u0001e");

        Assert.True(ExtensionHandshake.TryParse(bytes, out var handshake, out var error), error);
        Assert.Equal(2, handshake.MetadataId);
        Assert.Equal(31235, handshake.MetadataSize);
        Assert.Equal("libtorrent/2.0.8.0", handshake.ClientName);
        Assert.Equal(500, handshake.RequestQueue);
    }

    [Fact]
    public void A_peer_without_ut_metadata_has_id_zero()
    {
        Assert.True(ExtensionHandshake.TryParse("d1:md6:ut_pexi1eee"u8, out var handshake, out _));
        Assert.Equal(0, handshake.MetadataId);
        Assert.True(ExtensionHandshake.TryParse("de"u8, out handshake, out _));
        Assert.Equal(0, handshake.MetadataId);
    }

    [Fact]
    public void A_client_name_is_kept_printable_and_short()
    {
        var name = "evil\u0007\nclient" + new string('x', 500);
        var bytes = Encoding.UTF8.GetBytes($"d1:v{Encoding.UTF8.GetByteCount(name)}:{name}e");

        Assert.True(ExtensionHandshake.TryParse(bytes, out var handshake, out _));
        Assert.StartsWith("evilclient", handshake.ClientName, StringComparison.Ordinal);
        Assert.Equal(ExtensionHandshake.MaxClientNameLength, handshake.ClientName!.Length);
    }

    [Theory]
    [InlineData("d1:md11:ut_metadatai2eee1", "not bencoded")] // trailing garbage
    [InlineData("d1:md11:ut_metadatai2e", "not bencoded")] // truncated
    [InlineData("d1:vi1e1:mdee", "not bencoded")] // unsorted keys
    [InlineData("li1ee", "not a dictionary")]
    [InlineData("d1:mi1ee", "'m' is not a dictionary")]
    [InlineData("d1:md11:ut_metadatai256eee", "ut_metadata's id")]
    [InlineData("d1:md11:ut_metadatai-1eee", "ut_metadata's id")]
    [InlineData("d1:md11:ut_metadata1:2ee", "ut_metadata's id")]
    [InlineData("d13:metadata_sizei-5ee", "metadata_size")]
    [InlineData("d13:metadata_sizei0ee", "metadata_size")]
    [InlineData("d13:metadata_sizei4194305ee", "metadata_size")]
    [InlineData("d13:metadata_sizei99999999999999999999ee", "not bencoded")]
    public void Malformed_handshakes_are_refused_with_a_reason(string text, string expected)
    {
        Assert.False(ExtensionHandshake.TryParse(Encoding.ASCII.GetBytes(text), out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_handshake_nested_too_deeply_or_too_long_is_refused()
    {
        var deep = "d1:m" + string.Concat(Enumerable.Repeat("d1:x", 10)) + "de" + new string('e', 10) + "e";
        Assert.False(ExtensionHandshake.TryParse(Encoding.ASCII.GetBytes(deep), out _, out var error));
        Assert.Contains("nesting too deep", error, StringComparison.Ordinal);

        var filler = new string('a', ExtensionHandshake.MaxLength);
        Assert.False(ExtensionHandshake.TryParse(Encoding.ASCII.GetBytes($"d1:v{filler.Length}:{filler}e"), out _, out error));
        Assert.Contains("longer than", error, StringComparison.Ordinal);
    }
}
