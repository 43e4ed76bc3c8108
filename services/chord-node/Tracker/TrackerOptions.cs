using System.ComponentModel.DataAnnotations;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>Tracker behaviour (configuration section "Tracker"). Durations are TimeSpans ("00:00:30").</summary>
public sealed class TrackerOptions : IValidatableObject
{
    public const string SectionName = "Tracker";

    /// <summary>P: the catalog is split over keys <c>catalog/0..P-1</c>. Changing it orphans published entries.</summary>
    [Range(1, 1024)]
    public int CatalogPartitions { get; set; } = 16;

    /// <summary>The interval announced to clients and expected from peers that joined by REST (whole seconds on the wire).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AnnounceInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The "min interval" announced to clients.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MinAnnounceInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a swarm entry lives without a re-announce: 2.5 intervals tolerate one lost announce.</summary>
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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PeerTtl <= AnnounceInterval)
            yield return new ValidationResult("Tracker:PeerTtl must exceed Tracker:AnnounceInterval, or peers expire between announces.");
        if (MinAnnounceInterval > AnnounceInterval)
            yield return new ValidationResult("Tracker:MinAnnounceInterval must not exceed Tracker:AnnounceInterval.");
        if (DefaultNumWant > MaxNumWant)
            yield return new ValidationResult("Tracker:DefaultNumWant must not exceed Tracker:MaxNumWant.");
    }
}
