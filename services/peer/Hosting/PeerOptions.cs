using System.ComponentModel.DataAnnotations;

namespace BitTorrent.Peer.Hosting;

/// <summary>Configuration section "Peer". The transfer listener's port and address are the engine's (section "Transfer").</summary>
public sealed class PeerOptions
{
    public const string SectionName = "Peer";

    /// <summary>The Storage folder: files/, torrents/, state/ and peer.json.</summary>
    [Required]
    public string StoragePath { get; set; } = "Storage";

    /// <summary>The URL of this peer's API as others (the gateway) reach it; defaults to the first of <c>urls</c>.</summary>
    public string? ApiUrl { get; set; }

    /// <summary>The host other peers dial for transfers; defaults to <c>Transfer:BindAddress</c> (127.0.0.1 when that is 0.0.0.0).</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>The announce URL written into published torrents (real clients use it); defaults to the tracker node's /announce.</summary>
    public string? AnnounceUrl { get; set; }

    /// <summary>
    /// Where the gateway serves files over HTTP (its <c>/files</c> url, e.g. <c>http://127.0.0.1:5000/files</c>): published
    /// torrents list <c>{WebSeedUrl}/{infoHash}/</c> as their BEP 19 web seed (<c>url-list</c>). Not set: no web seed.
    /// </summary>
    [Url]
    public string? WebSeedUrl { get; set; }

    /// <summary>
    /// The key that controls this peer (API clients send it as a bearer token; the login link sets a cookie from
    /// it). When not set, a random one is made at first start and kept in <c>Storage/api-key</c>.
    /// </summary>
    [MinLength(16)]
    public string? ApiKey { get; set; }

    /// <summary>Largest file a user can publish through the API (the gateway's Gateway:MaxPeerBodyBytes must not be smaller).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>API requests a client address may make per second (bursts up to twice that); beyond it, 429.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 500;

    /// <summary>
    /// How often registration and swarm memberships are refreshed (the tracker expires what is not); sooner when the tracker's
    /// announce interval asks for it (<see cref="Sharing.SwarmSync.RefreshPeriod"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often running downloads ask the tracker for more peers.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SwarmPollInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a read of a file that is still downloading (<c>api/files/{id}/content</c>) waits for a piece it needs:
    /// for the first, then 503 with Retry-After; for a later one, then the response ends and the player asks again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StreamingWait { get; set; } = TimeSpan.FromSeconds(30);
}
