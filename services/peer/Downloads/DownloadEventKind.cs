namespace BitTorrent.Peer.Downloads;

public enum DownloadEventKind
{
    /// <summary>Bytes moved (about five times a second while it runs); may be coalesced for a slow subscriber.</summary>
    Progress,

    /// <summary>The download moved to another <see cref="DownloadState"/> (never dropped).</summary>
    StateChanged,

    /// <summary>Its last piece was verified: the file is whole (never dropped).</summary>
    Completed,

    /// <summary>It was removed from the engine (never dropped).</summary>
    Removed,
}
