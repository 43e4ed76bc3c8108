using System.Net;
using BitTorrent.ChordNode.Tracker;
using Microsoft.Extensions.Primitives;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

/// <summary>Who a request comes from: X-Forwarded-For is believed only from Tracker:TrustedProxies.</summary>
public sealed class TrustedProxyListTests
{
    private static readonly TrustedProxyList Gateway = TrustedProxyList.Of("127.0.0.1", "10.42.0.0/16");

    private static (string Client, bool Trusted) Resolve(TrustedProxyList list, string connection, params string[] forwardedFor)
    {
        var (client, trusted) = list.ResolveClient(IPAddress.Parse(connection), new StringValues(forwardedFor));
        return (client.ToString(), trusted);
    }

    [Fact]
    public void With_no_trusted_proxy_the_connection_is_the_client_whatever_it_forwards() =>
        Assert.Equal(("127.0.0.5", false), Resolve(TrustedProxyList.Of(), "127.0.0.5", "10.9.9.9"));

    [Fact]
    public void An_untrusted_connections_forwarded_for_is_ignored() =>
        Assert.Equal(("127.0.0.5", false), Resolve(Gateway, "127.0.0.5", "10.9.9.9"));

    [Fact]
    public void A_trusted_proxy_speaks_for_the_client_it_names_last() =>
        Assert.Equal(("192.0.2.7", false), Resolve(Gateway, "127.0.0.1", "203.0.113.1, 192.0.2.7"));

    [Fact]
    public void A_chain_of_trusted_proxies_is_followed_to_the_first_untrusted_hop() =>
        Assert.Equal(("192.0.2.7", false), Resolve(Gateway, "127.0.0.1", "203.0.113.1", "192.0.2.7, 10.42.3.4"));

    [Fact]
    public void A_trusted_proxy_without_forwarded_for_is_the_client_and_is_trusted()
    {
        Assert.Equal(("127.0.0.1", true), Resolve(Gateway, "127.0.0.1"));
        Assert.Equal(("10.42.1.1", true), Resolve(Gateway, "::ffff:10.42.1.1"));
    }

    [Fact]
    public void An_unreadable_hop_stops_the_walk_and_trusts_nobody_further() =>
        Assert.Equal(("127.0.0.1", false), Resolve(Gateway, "127.0.0.1", "192.0.2.7, garbage"));

    [Fact]
    public void Hops_with_ports_and_ipv6_are_read() =>
        Assert.Equal(("2001:db8::7", false), Resolve(Gateway, "127.0.0.1", "[2001:db8::7]:5555"));

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.42.0.0/16", true)]
    [InlineData("::1", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("gateway", false)]
    [InlineData("10.0.0.0/99", false)]
    [InlineData("", false)]
    public void Entries_are_addresses_or_cidr_ranges(string entry, bool valid) =>
        Assert.Equal(valid, TrustedProxyList.TryParseEntry(entry, out _));

    [Theory]
    [InlineData("bittorrent-gateway-pods.default.svc.cluster.local", true)]
    [InlineData("localhost", true)]
    [InlineData("10.0.0.0/99", false)]
    [InlineData("not a name", false)]
    public void Other_entries_may_be_host_names(string entry, bool valid) =>
        Assert.Equal(valid, TrustedProxyList.IsHostName(entry));

    [Fact]
    public async Task A_host_name_stands_for_the_addresses_it_resolves_to()
    {
        var list = TrustedProxyList.Of("localhost", "name.that.does.not.resolve.invalid");
        await Eventually(() => list.Contains(IPAddress.Loopback));
        Assert.False(list.Contains(IPAddress.Parse("127.0.0.5")));
        Assert.Equal(("192.0.2.7", false), Resolve(list, "127.0.0.1", "192.0.2.7"));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition());
    }
}
