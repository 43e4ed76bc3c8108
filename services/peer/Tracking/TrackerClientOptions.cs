using System.ComponentModel.DataAnnotations;

namespace BitTorrent.Peer.Tracking;

/// <summary>Configuration section "Tracker": where the chord ring is when multicast cannot tell.</summary>
public sealed class TrackerClientOptions
{
    public const string SectionName = "Tracker";

    /// <summary>Chord node URLs to use besides those heard by multicast discovery; the only ones (with a node given by hand) the peer's token is sent to.</summary>
    public string[] Seeds { get; set; } = [];

    /// <summary>
    /// Send the peer's token to nodes heard by multicast too. A peer cannot verify announcements (it holds no ring
    /// secret), so anyone who can multicast on its network could then collect its token; use it only where seeds
    /// cannot be given and that network is trusted.
    /// </summary>
    public bool TrustDiscoveredNodes { get; set; }

    /// <summary>Timeout of each tracker call.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
