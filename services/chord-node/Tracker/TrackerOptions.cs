using System.ComponentModel.DataAnnotations;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>Tracker behaviour (configuration section "Tracker"). Durations are TimeSpans ("00:00:30").</summary>
public sealed class TrackerOptions : IValidatableObject
{
    public const string SectionName = "Tracker";

    /// <summary>P: the catalog is split over keys <c>catalog/0..P-1</c>. Changing it orphans published entries.</summary>
    [Range(1, 1024)]
    public int CatalogPartitions { get; set; } = 16;

    /// <summary>
    /// The interval announced to clients and expected from peers that joined by REST (whole seconds on the wire). A peer whose last
    /// announce is older than this plus a quarter (at least 5 s more) is no longer counted as online (<see cref="SwarmLiveness"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AnnounceInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The "min interval" announced to clients.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MinAnnounceInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a swarm entry lives without a re-announce: 2.5 intervals tolerate one lost announce in the peer lists handed out.
    /// Counts and copies stop counting the entry sooner, once its announce is overdue (<see cref="SwarmLiveness"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PeerTtl { get; set; } = TimeSpan.FromSeconds(75);

    [Range(1, 10_000)]
    public int DefaultNumWant { get; set; } = 50;

    [Range(1, 10_000)]
    public int MaxNumWant { get; set; } = 200;

    /// <summary>How long swarm counts learned by this node are reused when listing the catalog; zero reads every swarm.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CountCacheDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest .torrent accepted for publishing.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxTorrentBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Addresses, CIDR ranges or host names (resolved every 30 s) of the proxies whose <c>X-Forwarded-For</c> is
    /// believed (the gateway's). A request
    /// from one of them counts as coming from the client it names; an announce's <c>ip=</c> is honoured only
    /// from them; their requests are not rate-limited here (they limit per client themselves). Empty: nobody.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>At most this many live entries per swarm; announces of new peers beyond it get a failure reason.</summary>
    [Range(1, 1_000_000)]
    public int MaxPeersPerSwarm { get; set; } = 2000;

    /// <summary>Requests per second each client address may send to the public tracker API, /announce and /scrape (429 above).</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 1000;

    /// <summary>
    /// A catalog entry with no seeder for this long is shown as unavailable (<c>available: false</c>) and hidden by
    /// <c>?available=true</c>; its publisher may still unpublish it, and a seeder coming back makes it available again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a volunteer's claim to fetch a file holds: renewed each time it asks for work while it reports the file as fetching
    /// (or held, before its seeder's announce arrives); when it stops asking, the claim lapses and another volunteer may take it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan VolunteerLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a file's seeders must stay above its target copies before volunteers are told to drop their copies (a seeder that
    /// blinks out and back, or one that just finished, does not cause a drop followed by a fetch).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan VolunteerDropGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often volunteers ask for work (their <c>pollAfterSeconds</c>, whole seconds on the wire). A file whose seeder died
    /// is back at its target after at most the online window (37.5 s at the default announce interval), one poll and the fetch:
    /// 15 s keeps that under a minute. Each poll reads the copies index, the volunteers set, two keys per indexed file the
    /// volunteer could take and three per copy it holds, so the ring's cost grows with volunteers × indexed files ÷ this interval.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan VolunteerPollInterval { get; set; } = TimeSpan.FromSeconds(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var entry in TrustedProxies)
            if (!TrustedProxyList.TryParseEntry(entry, out _) && !TrustedProxyList.IsHostName(entry))
                yield return new ValidationResult($"Tracker:TrustedProxies: '{entry}' is neither an IP address, a CIDR range nor a host name.");
        if (PeerTtl <= AnnounceInterval)
            yield return new ValidationResult("Tracker:PeerTtl must exceed Tracker:AnnounceInterval, or peers expire between announces.");
        if (MinAnnounceInterval > AnnounceInterval)
            yield return new ValidationResult("Tracker:MinAnnounceInterval must not exceed Tracker:AnnounceInterval.");
        if (DefaultNumWant > MaxNumWant)
            yield return new ValidationResult("Tracker:DefaultNumWant must not exceed Tracker:MaxNumWant.");
        if (VolunteerLease <= VolunteerPollInterval)
            yield return new ValidationResult("Tracker:VolunteerLease must exceed Tracker:VolunteerPollInterval, or claims lapse between a volunteer's polls.");
    }
}
