namespace BitTorrent.Peer.Transfer;

/// <summary>The bounds of the rate and queue settings, one place for the options, the settings API and the UI's validation.</summary>
public static class PeerLimits
{
    /// <summary>The largest rate limit accepted: 10 GiB/s (far above what one peer moves; 0 means unlimited).</summary>
    public const long MaxBytesPerSecond = 10L * 1024 * 1024 * 1024;

    /// <summary>The largest number of active downloads accepted (0 means unlimited).</summary>
    public const int MaxActiveDownloads = 10_000;
}
