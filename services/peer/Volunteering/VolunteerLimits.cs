namespace BitTorrent.Peer.Volunteering;

/// <summary>The bounds of the volunteer settings, shared by the options and the run-time settings.</summary>
public static class VolunteerLimits
{
    /// <summary>The largest volunteer room one may set: 1 PiB.</summary>
    public const long MaxBytes = 1L << 50;

    /// <summary>The most volunteer fetches at once one may configure (the ring's report allows up to 64 free slots).</summary>
    public const int MaxConcurrentFetches = 16;
}
