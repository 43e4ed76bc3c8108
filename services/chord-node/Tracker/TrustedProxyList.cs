using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// <see cref="TrackerOptions.TrustedProxies"/>, parsed: which connections may speak for a client through
/// <c>X-Forwarded-For</c>, and who a request really comes from.
/// </summary>
public sealed class TrustedProxyList
{
    /// <summary>Hops of X-Forwarded-For looked at, from the right; a longer chain is cut there.</summary>
    private const int MaxHops = 16;

    private readonly IPNetwork[] _networks;

    public TrustedProxyList(IOptions<TrackerOptions> options) =>
        _networks = [.. options.Value.TrustedProxies.Select(e => TryParseEntry(e, out var network)
            ? network
            : throw new ArgumentException($"Tracker:TrustedProxies: '{e}' is not an address or CIDR range.", nameof(options)))];

    /// <summary>A list of addresses and CIDR ranges (tests and tools).</summary>
    public static TrustedProxyList Of(params string[] entries) =>
        new(Options.Create(new TrackerOptions { TrustedProxies = entries }));

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>An address (a /32 or /128) or a CIDR range.</summary>
    public static bool TryParseEntry(string? entry, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(entry)) return false;
        var text = entry.Trim();
        if (IPNetwork.TryParse(text, out network)) return true;
        if (!IPAddress.TryParse(text, out var address)) return false;
        address = Normalize(address);
        network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        address = Normalize(address);
        foreach (var network in _networks)
            if (network.Contains(address)) return true;
        return false;
    }

    /// <summary>
    /// Who sent the request. A connection from a trusted proxy speaks for the address its X-Forwarded-For names
    /// last (the one the proxy itself saw); while that one is a trusted proxy too, the next hop to the left is
    /// taken. Anyone else's X-Forwarded-For is ignored. <c>ClientTrusted</c> is true only when the address found
    /// is itself a trusted proxy (it sent the request on its own behalf): only then is an announce's ip= believed.
    /// </summary>
    public (IPAddress Client, bool ClientTrusted) ResolveClient(IPAddress connection, StringValues forwardedFor)
    {
        var current = Normalize(connection);
        if (!Contains(current)) return (current, false);
        var hops = Hops(forwardedFor);
        for (var i = hops.Count - 1; i >= 0; i--)
        {
            // A hop a trusted proxy sent but nobody can read: stop there, believing no one further left.
            if (!TryParseHop(hops[i], out var hop)) return (current, false);
            current = hop;
            if (!Contains(current)) return (current, false);
        }
        return (current, true);
    }

    private static List<string> Hops(StringValues forwardedFor)
    {
        var hops = new List<string>();
        foreach (var value in forwardedFor)
        {
            if (string.IsNullOrEmpty(value)) continue;
            foreach (var hop in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                hops.Add(hop);
        }
        return hops.Count > MaxHops ? hops[^MaxHops..] : hops;
    }

    private static bool TryParseHop(string hop, out IPAddress address)
    {
        if (hop.Length <= 64)
        {
            if (IPAddress.TryParse(hop, out address!)) { address = Normalize(address); return true; }
            if (IPEndPoint.TryParse(hop, out var endPoint)) { address = Normalize(endPoint.Address); return true; }
        }
        address = IPAddress.None;
        return false;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
