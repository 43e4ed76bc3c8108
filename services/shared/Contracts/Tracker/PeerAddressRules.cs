using System.Net;
using System.Net.Sockets;

namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// Which addresses a peer record, a swarm entry or a forwarded request may point at. Refused everywhere:
/// unspecified (0.0.0.0/8, ::), multicast (224.0.0.0/4, ff00::/8), broadcast, link-local (169.254.0.0/16,
/// fe80::/10, where cloud metadata services live) and the metadata addresses of the large clouds outside
/// that range (fd00:ec2::254, 100.100.100.200, 168.63.129.16). Loopback and private ranges stay allowed:
/// a local run and a cluster live there. An announce's <c>ip=</c> is stricter: loopback is refused too.
/// </summary>
public static class PeerAddressRules
{
    private static readonly IPAddress[] Metadata =
    [
        IPAddress.Parse("fd00:ec2::254"),     // AWS (IPv6)
        IPAddress.Parse("100.100.100.200"),   // Alibaba Cloud
        IPAddress.Parse("168.63.129.16"),     // Azure wire server
    ];

    /// <summary>Why a peer may not be reached at <paramref name="address"/>, or null when it may.</summary>
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            if (b[0] == 0) return "an unspecified address";
            if (b[0] is >= 224 and <= 239) return "a multicast address";
            if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) return "the broadcast address";
            if (b[0] == 169 && b[1] == 254) return "a link-local (metadata) address";
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Any)) return "an unspecified address";
            if (address.IsIPv6Multicast) return "a multicast address";
            if (address.IsIPv6LinkLocal) return "a link-local address";
        }
        else
        {
            return "not an IP address";
        }
        foreach (var metadata in Metadata)
            if (metadata.Equals(address)) return "a cloud metadata address";
        return null;
    }

    /// <summary>As <see cref="Refusal(IPAddress)"/>, and loopback refused too: what an announce's <c>ip=</c> may not claim.</summary>
    public static string? AnnouncedRefusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return IPAddress.IsLoopback(address) ? "a loopback address" : Refusal(address);
    }

    /// <summary>
    /// Why a host (an IP literal or a name) may not be a peer's address, or null when it may. Names are
    /// checked where they are resolved (the gateway checks every address it connects to).
    /// </summary>
    public static string? HostRefusal(string? host)
    {
        if (string.IsNullOrWhiteSpace(host)) return "no host";
        var trimmed = host.Trim();
        if (trimmed.Length > 253) return "a host name longer than 253 characters";
        if (IPAddress.TryParse(trimmed.Trim('[', ']'), out var address)) return Refusal(address);
        return Uri.CheckHostName(trimmed) == UriHostNameType.Dns ? null : "not a host name or an IP address";
    }

    /// <summary>Why <paramref name="url"/> may not be a peer's API url, or null when it is an absolute http(s) url at an allowed host.</summary>
    public static string? ApiUrlRefusal(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return "no API url";
        if (url.Length > 2048) return "an API url longer than 2048 characters";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "not an absolute http(s) url";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "a url with credentials in it";
        return HostRefusal(uri.IdnHost);
    }
}
