using System.ComponentModel.DataAnnotations;
using System.Net;

namespace BitTorrent.Shared.Discovery;

/// <summary>Multicast discovery of chord nodes (configuration section "Discovery"). Durations are TimeSpans ("00:00:01").</summary>
public sealed class DiscoveryOptions
{
    public const string SectionName = "Discovery";

    public bool Enabled { get; set; } = true;

    /// <summary>The IPv4 multicast group the nodes announce to.</summary>
    [Required]
    public string Group { get; set; } = "239.255.4.3";

    [Range(1, 65535)]
    public int Port { get; set; } = 1234;

    /// <summary>
    /// The IPv4 address of the interface to send and receive on. Multicast is always pinned to it
    /// (IP_MULTICAST_IF), so nothing leaves through another interface; 127.0.0.1 keeps it on the machine.
    /// </summary>
    [Required]
    public string Interface { get; set; } = "127.0.0.1";

    /// <summary>Multicast TTL; 0 keeps datagrams on this host, 1 on the local link.</summary>
    [Range(0, 255)]
    public int Ttl { get; set; }

    /// <summary>How often a node announces itself.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A node not heard from for this many intervals is no longer live.</summary>
    [Range(2, 1000)]
    public int ExpiryIntervals { get; set; } = 5;

    /// <summary>
    /// How far a signed announcement's timestamp may lie from the listener's clock, either way; older or newer
    /// ones are ignored (a replayed datagram goes stale). Clocks of the ring's machines must agree within it.
    /// </summary>
    public TimeSpan SignatureWindow { get; set; } = TimeSpan.FromSeconds(30);

    internal IPAddress GroupAddress => ParseIPv4(Group, nameof(Group));
    internal IPAddress InterfaceAddress => ParseIPv4(Interface, nameof(Interface));
    internal TimeSpan Expiry => Interval * ExpiryIntervals;

    private static IPAddress ParseIPv4(string text, string name) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? address
            : throw new InvalidOperationException($"Discovery:{name} '{text}' is not an IPv4 address.");
}
