using System.Text;
using System.Text.Json.Nodes;
using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.Shared.Discovery;

/// <summary>HMAC-SHA256 signatures of discovery announcements with the ring secret: what a keyed listener accepts.</summary>
public sealed class DiscoverySignatureTests
{
    private static readonly DiscoveryKey Key = new("the-ring-secret-of-this-test");
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private static readonly NodeAnnouncement Node = new(Id160.Hash("http://127.0.0.1:5101"), "http://127.0.0.1:5101");

    private static DatagramVerdict Check(byte[] datagram, DiscoveryKey? key = null, DateTimeOffset? now = null) =>
        NodeAnnouncement.TryParseSigned(datagram, key ?? Key, now ?? Now, Window, out _);

    private static byte[] Tampered(Action<JsonObject> change)
    {
        var json = JsonNode.Parse(Node.ToSignedUtf8Json(Key, Now))!.AsObject();
        change(json);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    [Fact]
    public void A_signed_announcement_has_the_documented_shape_and_verifies()
    {
        var datagram = Node.ToSignedUtf8Json(Key, Now);
        var json = JsonNode.Parse(datagram)!.AsObject();

        Assert.Equal(["id", "url", "ts", "sig"], json.Select(p => p.Key));
        Assert.Equal(Now.ToUnixTimeMilliseconds(), (long)json["ts"]!);
        Assert.Equal(64, ((string)json["sig"]!).Length);
        Assert.Equal(DatagramVerdict.Accepted, NodeAnnouncement.TryParseSigned(datagram, Key, Now, Window, out var heard));
        Assert.Equal(Node, heard);
    }

    [Fact]
    public void The_signature_is_hmac_sha256_over_id_url_and_timestamp_with_the_ring_secret()
    {
        var ts = Now.ToUnixTimeMilliseconds();
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Encoding.UTF8.GetBytes("the-ring-secret-of-this-test"),
            Encoding.UTF8.GetBytes($"bittorrent-discovery/1\n{Node.Id}\n{Node.Url}\n{ts}")));
        Assert.Equal(expected, Key.Sign(Node.Id, Node.Url, ts));
    }

    [Theory]
    [InlineData("url", "http://127.0.0.1:6666")]
    [InlineData("id", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("sig", "00")]
    public void Tampering_with_any_field_breaks_the_signature(string field, string value) =>
        Assert.Equal(DatagramVerdict.BadSignature, Check(Tampered(json => json[field] = value)));

    [Fact]
    public void A_moved_timestamp_breaks_the_signature() =>
        Assert.Equal(DatagramVerdict.BadSignature, Check(Tampered(json => json["ts"] = Now.ToUnixTimeMilliseconds() + 1)));

    [Fact]
    public void An_announcement_signed_with_another_secret_is_refused()
    {
        var forged = Node.ToSignedUtf8Json(new DiscoveryKey("a-different-ring-secret"), Now);
        Assert.Equal(DatagramVerdict.BadSignature, Check(forged));
        Assert.Equal(DatagramVerdict.BadSignature, Check(Node.ToSignedUtf8Json(Key, Now), new DiscoveryKey("the-ring-secret-of-this-tesT")));
    }

    [Theory]
    [InlineData(-31)]
    [InlineData(31)]
    [InlineData(-3600)]
    public void An_announcement_stamped_outside_the_window_is_stale(int seconds) =>
        Assert.Equal(DatagramVerdict.Stale, Check(Node.ToSignedUtf8Json(Key, Now.AddSeconds(seconds))));

    [Theory]
    [InlineData(-29)]
    [InlineData(29)]
    public void An_announcement_stamped_inside_the_window_is_accepted(int seconds) =>
        Assert.Equal(DatagramVerdict.Accepted, Check(Node.ToSignedUtf8Json(Key, Now.AddSeconds(seconds))));

    [Fact]
    public void An_unsigned_announcement_is_refused_by_a_keyed_listener_and_garbage_is_malformed()
    {
        Assert.Equal(DatagramVerdict.Unsigned, Check(Node.ToUtf8Json()));
        Assert.Equal(DatagramVerdict.Unsigned, Check(Tampered(json => json.Remove("sig"))));
        Assert.Equal(DatagramVerdict.Malformed, Check("not json"u8.ToArray()));
        Assert.Equal(DatagramVerdict.Malformed, Check(Tampered(json => json["url"] = "file:///etc/passwd")));
    }

    [Fact]
    public void A_listener_without_a_key_reads_signed_announcements_unverified()
    {
        Assert.Equal(Node, NodeAnnouncement.TryParse(Node.ToSignedUtf8Json(Key, Now)));
        Assert.False(DiscoveryKey.None.IsSet);
        Assert.False(DiscoveryKey.None.Verify(Node.Id, Node.Url, 0, new string('0', 64)));
    }
}
