using System.ComponentModel.DataAnnotations;

namespace BitTorrent.Peer.Hosting;

/// <summary>Configuration section "Peer".</summary>
public sealed class PeerOptions
{
    public const string Section = "Peer";

    /// <summary>The Storage folder: files/, torrents/, state/ and peer.json.</summary>
    [Required]
    public string StoragePath { get; set; } = "Storage";

    /// <summary>The URL of this peer's API as others (the gateway) reach it; defaults to the first of <c>urls</c>.</summary>
    public string? ApiUrl { get; set; }

    /// <summary>The host other peers dial for transfers; defaults to the transfer bind address (127.0.0.1 locally).</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>Transfer (peer wire) port; 0 takes the first free port in 7000–7999.</summary>
    [Range(0, 65535)]
    public int TransferPort { get; set; }

    /// <summary>Address the transfer listener binds; 0.0.0.0 in containers.</summary>
    [Required]
    public string TransferBindAddress { get; set; } = "127.0.0.1";

    /// <summary>The announce URL written into published torrents (real clients use it); defaults to the tracker node's /announce.</summary>
    public string? AnnounceUrl { get; set; }

    /// <summary>How often registration and swarm memberships are refreshed (the tracker expires what is not).</summary>
    [Range(1, 3600)]
    public int RefreshSeconds { get; set; } = 20;

    /// <summary>How often running downloads ask the tracker for more peers.</summary>
    [Range(1, 3600)]
    public int SwarmPollSeconds { get; set; } = 3;
}

/// <summary>Configuration section "Tracker": where the chord ring is when multicast cannot tell.</summary>
public sealed class TrackerClientOptions
{
    public const string Section = "Tracker";

    /// <summary>Chord node URLs to use besides those heard by multicast discovery; the only ones (with a node given by hand) the peer's token is sent to.</summary>
    public string[] Seeds { get; set; } = [];

    /// <summary>
    /// Send the peer's token to nodes heard by multicast too. A peer cannot verify announcements (it holds no ring
    /// secret), so anyone who can multicast on its network could then collect its token; use it only where seeds
    /// cannot be given and that network is trusted.
    /// </summary>
    public bool TrustDiscoveredNodes { get; set; }

    /// <summary>Timeout of each tracker call.</summary>
    [Range(100, 600_000)]
    public int TimeoutMs { get; set; } = 5000;
}
