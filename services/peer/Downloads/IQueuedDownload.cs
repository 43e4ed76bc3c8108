namespace BitTorrent.Peer.Downloads;

/// <summary>What the <see cref="DownloadQueue"/> needs of a download: its state, and a way to start it when its turn comes.</summary>
internal interface IQueuedDownload
{
    DownloadState State { get; }

    /// <summary>Its turn has come and a slot is free: it starts fetching.</summary>
    void StartFromQueue();
}
