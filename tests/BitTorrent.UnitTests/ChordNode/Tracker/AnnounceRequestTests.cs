using System.Net;
using System.Text;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

public sealed class AnnounceRequestTests
{
    internal static readonly byte[] InfoHashBytes = [0x00, 0xff, 0x20, 0x2b, 0x25, 0x26, 0x3d, 0x41, 0x7e, 0x80, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x2e, 0x2d];
    internal static readonly byte[] PeerIdBytes = "-DD0001-abcdefghijkl"u8.ToArray();

    /// <summary>URL-encodes bytes as a client does: unreserved characters raw, everything else %XX.</summary>
    internal static string UrlEncode(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~') text.Append((char)b);
            else text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    internal static string Query(string extra = "", byte[]? infoHash = null, byte[]? peerId = null, string port = "6881") =>
        $"?info_hash={UrlEncode(infoHash ?? InfoHashBytes)}&peer_id={UrlEncode(peerId ?? PeerIdBytes)}&port={port}&uploaded=10&downloaded=20&left=30{extra}";

    private static AnnounceRequest Parse(string query)
    {
        Assert.True(AnnounceRequest.TryParse(query, 50, 200, out var request, out var failure), failure);
        return request;
    }

    private static string Failure(string query)
    {
        Assert.False(AnnounceRequest.TryParse(query, 50, 200, out _, out var failure));
        return failure;
    }

    [Fact]
    public void Binary_info_hash_and_peer_id_are_decoded_byte_for_byte()
    {
        var request = Parse(Query());

        Assert.Equal(new Id160(InfoHashBytes), request.InfoHash);
        Assert.Equal(new Id160(PeerIdBytes), request.PeerId);
        Assert.Equal(6881, request.Port);
        Assert.Equal(10, request.Uploaded);
        Assert.Equal(20, request.Downloaded);
        Assert.Equal(30, request.Left);
        Assert.Equal(AnnounceEvent.None, request.Event);
        Assert.False(request.IsSeeder);
    }

    [Fact]
    public void Lower_case_escapes_and_a_query_without_question_mark_parse_the_same()
    {
        var lower = Query().TrimStart('?').Replace("%FF", "%ff", StringComparison.Ordinal);
        Assert.Equal(new Id160(InfoHashBytes), Parse(lower).InfoHash);
    }

    [Fact]
    public void Every_byte_value_survives_percent_encoding()
    {
        for (var start = 0; start < 256; start += 20)
        {
            var bytes = Enumerable.Range(start, 20).Select(i => (byte)i).ToArray();
            Assert.Equal(new Id160(bytes), Parse(Query(infoHash: bytes)).InfoHash);
        }
    }

    [Fact]
    public void Defaults_are_compact_and_numwant_50()
    {
        var request = Parse(Query());
        Assert.True(request.Compact);
        Assert.Equal(50, request.NumWant);
        Assert.Null(request.Ip);
        Assert.False(request.NoPeerId);
    }

    [Theory]
    [InlineData("&numwant=10", 10)]
    [InlineData("&numwant=0", 0)]
    [InlineData("&numwant=200", 200)]
    [InlineData("&numwant=5000", 200)]
    [InlineData("&numwant=999999999999999999", 200)]
    public void Numwant_is_capped(string extra, int expected) => Assert.Equal(expected, Parse(Query(extra)).NumWant);

    [Theory]
    [InlineData("&event=started", AnnounceEvent.Started)]
    [InlineData("&event=completed", AnnounceEvent.Completed)]
    [InlineData("&event=stopped", AnnounceEvent.Stopped)]
    [InlineData("&event=empty", AnnounceEvent.None)]
    [InlineData("&event=", AnnounceEvent.None)]
    public void Events_are_recognised(string extra, AnnounceEvent expected) => Assert.Equal(expected, Parse(Query(extra)).Event);

    [Fact]
    public void Completed_event_or_nothing_left_makes_a_seeder()
    {
        Assert.True(Parse(Query("&event=completed")).IsSeeder);
        Assert.True(Parse(Query().Replace("left=30", "left=0", StringComparison.Ordinal)).IsSeeder);
    }

    [Fact]
    public void Compact_zero_no_peer_id_and_ip_are_read()
    {
        var request = Parse(Query("&compact=0&no_peer_id=1&ip=10.1.2.3"));
        Assert.False(request.Compact);
        Assert.True(request.NoPeerId);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), request.Ip);
    }

    [Fact]
    public void An_ip_that_is_not_an_address_is_ignored() => Assert.Null(Parse(Query("&ip=example.org")).Ip);

    [Fact]
    public void Unknown_parameters_are_ignored() => Parse(Query("&key=abc&trackerid=x&supportcrypto=1&corrupt=0"));

    [Fact]
    public void Missing_info_hash_fails() =>
        Assert.Equal("missing info_hash", Failure($"?peer_id={UrlEncode(PeerIdBytes)}&port=1&left=0"));

    [Fact]
    public void Missing_peer_id_fails() =>
        Assert.Equal("missing peer_id", Failure($"?info_hash={UrlEncode(InfoHashBytes)}&port=1&left=0"));

    [Fact]
    public void Missing_port_fails() =>
        Assert.Equal("missing port", Failure($"?info_hash={UrlEncode(InfoHashBytes)}&peer_id={UrlEncode(PeerIdBytes)}"));

    [Theory]
    [InlineData(19)]
    [InlineData(21)]
    [InlineData(40)]
    [InlineData(0)]
    public void Info_hash_of_the_wrong_length_fails(int length) =>
        Assert.Equal("info_hash must be 20 bytes", Failure(Query(infoHash: new byte[length])));

    [Fact]
    public void Info_hash_given_as_40_hex_digits_is_not_mistaken_for_binary() =>
        Assert.Equal("info_hash must be 20 bytes", Failure($"?info_hash={new Id160(InfoHashBytes)}&peer_id={UrlEncode(PeerIdBytes)}&port=1"));

    [Fact]
    public void Peer_id_of_the_wrong_length_fails() =>
        Assert.Equal("peer_id must be 20 bytes", Failure(Query(peerId: new byte[12])));

    [Theory]
    [InlineData("%zz")]
    [InlineData("%4")]
    [InlineData("%")]
    public void Broken_percent_escapes_fail(string tail) =>
        Assert.Equal("info_hash must be 20 bytes", Failure($"?info_hash={UrlEncode(InfoHashBytes.AsSpan(0, 19))}{tail}&peer_id={UrlEncode(PeerIdBytes)}&port=1"));

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("68 81")]
    public void Bad_port_fails(string port) => Assert.Equal("port must be a number from 1 to 65535", Failure(Query(port: port)));

    [Theory]
    [InlineData("uploaded=10", "uploaded=-1", "uploaded must be a non-negative number")]
    [InlineData("downloaded=20", "downloaded=2x", "downloaded must be a non-negative number")]
    [InlineData("left=30", "left=1e9", "left must be a non-negative number")]
    [InlineData("left=30", "left=99999999999999999999", "left must be a non-negative number")]
    public void Bad_numbers_fail(string good, string bad, string expected) =>
        Assert.Equal(expected, Failure(Query().Replace(good, bad, StringComparison.Ordinal)));

    [Theory]
    [InlineData("&numwant=-5", "numwant must be a non-negative number")]
    [InlineData("&compact=2", "compact must be 0 or 1")]
    [InlineData("&event=paused", "unknown event")]
    public void Bad_options_fail(string extra, string expected) => Assert.Equal(expected, Failure(Query(extra)));

    [Fact]
    public void Characters_beyond_a_byte_fail() =>
        Assert.Equal("info_hash must be 20 bytes", Failure($"?info_hash=\u0101{UrlEncode(InfoHashBytes.AsSpan(1))}&peer_id={UrlEncode(PeerIdBytes)}&port=1"));
}
