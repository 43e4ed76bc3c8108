using System.Net;
using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.UnitTests.Shared.Contracts;

public sealed class PeerAddressRulesTests
{
    [Theory]
    [InlineData("169.254.169.254")]   // the metadata service of AWS, GCP, Azure, OpenStack
    [InlineData("169.254.0.1")]
    [InlineData("fd00:ec2::254")]     // AWS over IPv6
    [InlineData("100.100.100.200")]   // Alibaba
    [InlineData("168.63.129.16")]     // Azure wire server
    [InlineData("fe80::1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.4.3")]
    [InlineData("ff02::1")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("255.255.255.255")]
    public void Link_local_metadata_multicast_and_unspecified_addresses_are_refused(string address)
    {
        Assert.NotNull(PeerAddressRules.Refusal(IPAddress.Parse(address)));
        Assert.NotNull(PeerAddressRules.AnnouncedRefusal(IPAddress.Parse(address)));
        Assert.NotNull(PeerAddressRules.HostRefusal(address));
        Assert.NotNull(PeerAddressRules.ApiUrlRefusal($"http://{(address.Contains(':') ? $"[{address}]" : address)}:8080/"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("192.168.1.10")]
    [InlineData("172.16.0.7")]
    [InlineData("8.8.8.8")]
    [InlineData("2001:db8::1")]
    public void Loopback_private_and_public_addresses_may_be_a_peers(string address) =>
        Assert.Null(PeerAddressRules.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.9.9.9")]
    [InlineData("::1")]
    public void An_announce_may_not_claim_a_loopback_address(string address)
    {
        Assert.Null(PeerAddressRules.Refusal(IPAddress.Parse(address)));
        Assert.NotNull(PeerAddressRules.AnnouncedRefusal(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5201", true)]
    [InlineData("https://peer-1.example.org/", true)]
    [InlineData("http://peer-0.bittorrent-peer.default.svc.cluster.local:5201", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("ftp://127.0.0.1/", false)]
    [InlineData("file:///etc/passwd", false)]
    [InlineData("/relative", false)]
    [InlineData("http://user:pass@127.0.0.1:5201/", false)]
    [InlineData("http://169.254.169.254/latest/meta-data/", false)]
    [InlineData("http://[fd00:ec2::254]/", false)]
    [InlineData("http://0.0.0.0:5201/", false)]
    public void An_api_url_is_an_absolute_http_url_at_an_allowed_host(string? url, bool allowed) =>
        Assert.Equal(allowed, PeerAddressRules.ApiUrlRefusal(url) is null);

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("peer-1.local", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("not a host", false)]
    [InlineData("169.254.169.254", false)]
    public void A_transfer_host_is_an_allowed_address_or_a_host_name(string? host, bool allowed) =>
        Assert.Equal(allowed, PeerAddressRules.HostRefusal(host) is null);
}
