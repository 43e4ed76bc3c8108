namespace BitTorrent.Peer.Downloads;

/// <summary>Where a download stands. Commands move it; see <see cref="DownloadController"/> for the allowed moves.</summary>
public enum DownloadState
{
    /// <summary>Piece transactions are running, or a peer with missing pieces is connected.</summary>
    Downloading,

    /// <summary>No connected peer has a missing piece; it resumes by itself when one appears.</summary>
    WaitingForPeers,

    Paused,

    /// <summary>Every piece verified and written; the file is being seeded.</summary>
    Completed,

    /// <summary>Stopped with <see cref="DownloadSnapshot.Error"/> as the reason; Retry starts it again.</summary>
    Failed,

    /// <summary>Stopped by the user; the partial file and its state were removed.</summary>
    Cancelled,

    /// <summary>Added by a magnet link: its torrent's info dictionary is being fetched from peers (BEP 9) before the pieces.</summary>
    Metadata,
    /// <summary>Waiting for a slot (<see cref="DownloadQueue"/>): every allowed download is active; it starts in queue order.</summary>
    Queued,
}
