namespace BitTorrent.Peer.Volunteering;

/// <summary>Where one volunteer copy stands on this peer.</summary>
public enum VolunteerFileState
{
    /// <summary>Neither held nor downloading (removed by hand, or its fetch not started).</summary>
    Gone,

    /// <summary>Being downloaded (also waiting for peers, queued or paused).</summary>
    Fetching,

    /// <summary>Held whole and seeded.</summary>
    Held,

    /// <summary>Its download failed or was cancelled.</summary>
    Failed,
}
