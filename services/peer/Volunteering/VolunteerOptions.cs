using System.ComponentModel.DataAnnotations;

namespace BitTorrent.Peer.Volunteering;

/// <summary>
/// Configuration section "Peer:Volunteer": how much of this peer's disk it lends the ring for other people's files
/// (<see cref="VolunteerAgent"/>). <see cref="MaxBytes"/> is only the default: the run-time setting
/// (<c>PUT /api/settings</c>, <c>volunteerMaxBytes</c>) wins once saved.
/// </summary>
public sealed class VolunteerOptions
{
    public const string SectionName = "Peer:Volunteer";

    /// <summary>The most bytes volunteer copies may take; 0 (the default) does not volunteer.</summary>
    [Range(0, VolunteerLimits.MaxBytes)]
    public long MaxBytes { get; set; }

    /// <summary>How many volunteer copies may be fetched at once.</summary>
    [Range(1, VolunteerLimits.MaxConcurrentFetches)]
    public int MaxConcurrentFetches { get; set; } = 2;

    /// <summary>How long to wait before asking the ring again when it has not said (an error, the ring unreachable).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(30);
}
