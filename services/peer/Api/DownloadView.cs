using BitTorrent.Peer.Downloads;

namespace BitTorrent.Peer.Api;

/// <summary>
/// A download as the API and the UI show it. Urls are relative, so they work behind the gateway
/// too. BytesReceived counts payload this run of the peer received (a resumed download does not
/// fetch its verified pieces again); CorruptPieces counts pieces that failed their SHA-1 check (their
/// senders were dropped). With some files deselected (Partial), bytes and progress count the chosen
/// files only, and a completed download holds those files only (no ContentUrl: it is not in the library).
/// DownloadLimit and UploadLimit are its own limits (bytes per second, 0 unlimited);
/// QueuePosition is its place in the queue while it is queued (0 starts next).
/// UploadedBytes counts payload served to other peers of the torrent this run;
/// Ratio is uploaded over verified bytes. Sequential: pieces are fetched in file order.
/// </summary>
public sealed record DownloadView(
    string Id,
    string Name,
    string State,
    long BytesDone,
    long TotalBytes,
    double Progress,
    int PiecesDone,
    int PieceCount,
    double BytesPerSecond,
    int Peers,
    double? EtaSeconds,
    string? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    string? ContentUrl,
    long BytesReceived,
    int CorruptPieces,
    bool Partial,
    long DownloadLimit,
    long UploadLimit,
    int? QueuePosition,
    long UploadedBytes,
    double UploadBytesPerSecond,
    double Ratio,
    bool Sequential)
{
    public static DownloadView Of(DownloadSnapshot s)
    {
        var remaining = s.TotalBytes - s.BytesDone;
        double? eta = s.State == DownloadState.Downloading && s.BytesPerSecond > 1 ? remaining / s.BytesPerSecond : null;
        var id = s.InfoHash.ToString();
        return new DownloadView(id, s.Name, StateName(s.State), s.BytesDone, s.TotalBytes, s.Progress, s.PiecesDone, s.PieceCount,
            s.BytesPerSecond, s.ConnectedPeers, eta, s.Error, s.StartedAt, s.CompletedAt,
            s is { State: DownloadState.Completed, Partial: false } ? $"api/files/{id}/content" : null, s.BytesReceived, s.CorruptPieces, s.Partial,
            s.DownloadLimit, s.UploadLimit, s.QueuePosition,
            s.BytesUploaded, s.UploadBytesPerSecond, RatioOf(s), s.Sequential);
    }

    /// <summary>The state as the API names it ("waiting" for a download no connected peer can supply).</summary>
    public static string StateName(DownloadState state) => state switch
    {
        DownloadState.WaitingForPeers => "waiting",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>Uploaded over verified bytes (0 before anything is verified).</summary>
    public static double RatioOf(DownloadSnapshot s) => s.BytesDone == 0 ? 0 : Math.Round((double)s.BytesUploaded / s.BytesDone, 3);
}
