using System.ComponentModel.DataAnnotations;

namespace BitTorrent.Gateway.Routing;

/// <summary>The gateway's settings (configuration section "Gateway"). Durations are TimeSpans ("00:00:02").</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Chord node URLs to start from where multicast is unavailable (e.g. a headless Service name).</summary>
    public string[] Seeds { get; set; } = [];

    /// <summary>
    /// The ring's secret (the nodes' Chord:Secret), used only to verify signed discovery announcements; the gateway
    /// never sends it anywhere. Without it the gateway ignores multicast discovery and follows its seeds alone, so a
    /// forged announcement can never make it forward users' requests (and their tokens) to a node of someone else's.
    /// </summary>
    public string? RingSecret { get; set; }

    /// <summary>How often the ring's membership is re-read and the proxy's destinations updated.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan MembershipRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a peer's API url from the tracker is reused.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan PeerCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the gateway's probe of a peer's /readyz (the fleet view's health) is reused before it probes again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan PeerProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a request for the peer's OpenAPI document waits for a first peer to serve it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan PeerDocumentWait { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Requests per second allowed per client address on the public routes.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 20_000;

    /// <summary>Requests per second allowed per client address on <c>/files/**</c> (the content relay).</summary>
    [Range(1, 1_000_000)]
    public int FileRequestsPerSecond { get; set; } = 50;

    /// <summary>How many files the gateway relays at once (over all clients); beyond it, 503 with Retry-After.</summary>
    [Range(1, 100_000)]
    public int MaxRelays { get; set; } = 64;

    /// <summary>How long a relay waits for a seeder's next bytes before it continues from another seeder.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RelayReadTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether announces and scrapes queued for one chord node travel together in one request (POST /tracker/batch)
    /// rather than one GET each. The nodes must trust the gateway (Tracker:TrustedProxies); a node that does not is
    /// sent single requests.
    /// </summary>
    public bool TrackerBatches { get; set; } = true;

    /// <summary>Largest request body on tracker routes.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxTrackerBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest request body forwarded to a peer (file uploads).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxPeerBodyBytes { get; set; } = 8L * 1024 * 1024 * 1024;
}
