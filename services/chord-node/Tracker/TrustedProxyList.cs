using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// <see cref="TrackerOptions.TrustedProxies"/>, parsed: which connections may speak for a client through
/// <c>X-Forwarded-For</c>, and who a request really comes from. Entries are addresses, CIDR ranges or host names;
/// a name (the gateway's headless Service in a cluster) stands for the addresses it resolves to, looked up again
/// every <see cref="ResolveEvery"/> so the list follows the gateway's pods. A name that does not resolve trusts nobody.
/// </summary>
public sealed class TrustedProxyList
{
    /// <summary>Hops of X-Forwarded-For looked at, from the right; a longer chain is cut there.</summary>
    private const int MaxHops = 16;

    private static readonly TimeSpan ResolveEvery = TimeSpan.FromSeconds(30);

    private readonly IPNetwork[] _networks;
    private readonly string[] _names;
    private readonly TimeProvider _time;
    private volatile IPAddress[] _resolved = [];
    private long _resolvedAt = long.MinValue;
    private int _resolving;

    public TrustedProxyList(IOptions<TrackerOptions> options, TimeProvider time)
    {
        _time = time;
        var networks = new List<IPNetwork>();
        var names = new List<string>();
        foreach (var entry in options.Value.TrustedProxies)
        {
            if (TryParseEntry(entry, out var network)) networks.Add(network);
            else if (IsHostName(entry)) names.Add(entry.Trim());
            else throw new ArgumentException($"Tracker:TrustedProxies: '{entry}' is not an address, a CIDR range or a host name.", nameof(options));
        }
        _networks = [.. networks];
        _names = [.. names];
        RefreshNamesIfDue();
    }

    /// <summary>A list of addresses and CIDR ranges (tests and tools).</summary>
    public static TrustedProxyList Of(params string[] entries) =>
        new(Options.Create(new TrackerOptions { TrustedProxies = entries }), TimeProvider.System);

    /// <summary>Whether an entry names a host to resolve (rather than an address or range).</summary>
    public static bool IsHostName(string? entry) =>
        !string.IsNullOrWhiteSpace(entry) && !entry.Contains('/', StringComparison.Ordinal) && Uri.CheckHostName(entry.Trim()) == UriHostNameType.Dns;

    public bool IsEmpty => _networks.Length == 0 && _names.Length == 0;

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
        if (_names.Length == 0) return false;
        RefreshNamesIfDue();
        foreach (var resolved in _resolved)
            if (resolved.Equals(address)) return true;
        return false;
    }

    /// <summary>Looks the names up again in the background when the last lookup is old; never blocks a request.</summary>
    private void RefreshNamesIfDue()
    {
        if (_names.Length == 0) return;
        var last = Interlocked.Read(ref _resolvedAt);
        if (last != long.MinValue && _time.GetElapsedTime(last) < ResolveEvery) return;
        if (Interlocked.Exchange(ref _resolving, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                var addresses = new List<IPAddress>();
                foreach (var name in _names)
                {
                    try
                    {
                        addresses.AddRange((await Dns.GetHostAddressesAsync(name).ConfigureAwait(false)).Select(Normalize));
                    }
                    catch (System.Net.Sockets.SocketException)
                    {
                        // Not resolvable (yet): that name trusts nobody until it is.
                    }
                }
                _resolved = [.. addresses.Distinct()];
            }
            finally
            {
                Interlocked.Exchange(ref _resolvedAt, _time.GetTimestamp());
                Interlocked.Exchange(ref _resolving, 0);
            }
        });
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
