using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// An immutable picture of one download, published by the engine thread and readable from any
/// thread (what the REST layer returns for GET /api/downloads/{id}).
/// </summary>
/// <param name="InfoHash">The torrent's info-hash: the download's id.</param>
/// <param name="Name">The name in the torrent (untrusted text, for display).</param>
/// <param name="TargetPath">Where the file is written.</param>
/// <param name="State">Where the download stands.</param>
/// <param name="BytesDone">Bytes of the wanted files in verified pieces.</param>
/// <param name="TotalBytes">The wanted files' length (the whole torrent's unless files were deselected).</param>
/// <param name="PiecesDone">Verified pieces.</param>
/// <param name="PieceCount">All pieces.</param>
/// <param name="BytesPerSecond">Payload received per second, measured over the last second or so.</param>
/// <param name="ConnectedPeers">Peers connected for this torrent (both directions).</param>
/// <param name="Error">Why it failed (state Failed), else null.</param>
/// <param name="BytesReceived">Payload bytes received from the network since this engine started the download.</param>
/// <param name="CorruptPieces">Pieces that failed the SHA-1 check (their senders were dropped).</param>
/// <param name="StartedAt">When the download was first started.</param>
/// <param name="CompletedAt">When its last wanted piece was verified.</param>
/// <param name="Partial">Some pieces are not wanted and not here: a completed download holds the chosen files only.</param>
/// <param name="DownloadLimit">Its own download limit in bytes per second (0 unlimited).</param>
/// <param name="UploadLimit">Its own upload limit in bytes per second (0 unlimited).</param>
/// <param name="QueuePosition">Its place in the queue (0 starts next) while it is queued, else null.</param>
/// <param name="BytesUploaded">Payload bytes served to other peers of this torrent since the engine started.</param>
/// <param name="UploadBytesPerSecond">Payload served per second, over the last second or so.</param>
/// <param name="Sequential">Pieces are fetched in file order (for playing while downloading) instead of rarest first.</param>
public sealed record DownloadSnapshot(
    Id160 InfoHash,
    string Name,
    string TargetPath,
    DownloadState State,
    long BytesDone,
    long TotalBytes,
    int PiecesDone,
    int PieceCount,
    double BytesPerSecond,
    int ConnectedPeers,
    string? Error,
    long BytesReceived,
    int CorruptPieces,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    bool Partial = false,
    long DownloadLimit = 0,
    long UploadLimit = 0,
    int? QueuePosition = null,
    long BytesUploaded = 0,
    double UploadBytesPerSecond = 0,
    bool Sequential = false)
{
    public double Progress => TotalBytes == 0 ? (State == DownloadState.Completed ? 1 : 0) : (double)BytesDone / TotalBytes;
}
