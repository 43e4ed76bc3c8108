using BitTorrent.Peer.Downloads;

namespace BitTorrent.Peer.Api;

/// <summary>
/// One download in detail (GET /api/downloads/{id}): everything <see cref="DownloadView"/> has, with
/// <c>peers</c> listing the connected peers (their count is <c>peerCount</c>), <c>pieces</c> the state of
/// each piece as one letter ('m' missing, 'r' requested: being fetched or checked, 'v' verified),
/// <c>pieceSources</c> one character per piece naming the source that served it ('.' when it was not
/// fetched by this run: before a restart, or not yet), and <c>sources</c> the address of each source
/// character ('0' is the first, then '1'…'9', 'a'…'z', 'A'…'Z').
/// </summary>
public sealed record DownloadDetailsView(
    string Id,
    string Name,
    string State,
    long BytesDone,
    long TotalBytes,
    double Progress,
    int PiecesDone,
    int PieceCount,
    double BytesPerSecond,
    int PeerCount,
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
    bool Sequential,
    IReadOnlyList<DownloadPeerView> Peers,
    string Pieces,
    string PieceSources,
    IReadOnlyList<DownloadSourceView> Sources)
{
    public static DownloadDetailsView Of(DownloadDetails details)
    {
        var v = DownloadView.Of(details.Snapshot);
        var sources = details.Sources.Select((address, i) => new DownloadSourceView(Downloads.PieceSources.Alphabet[i].ToString(), address)).ToList();
        if (details.PieceSources.Contains(Downloads.PieceSources.Alphabet[Downloads.PieceSources.MaxSources], StringComparison.Ordinal))
            sources.Add(new DownloadSourceView(Downloads.PieceSources.Alphabet[Downloads.PieceSources.MaxSources].ToString(), "other peers"));
        return new DownloadDetailsView(v.Id, v.Name, v.State, v.BytesDone, v.TotalBytes, v.Progress, v.PiecesDone, v.PieceCount,
            v.BytesPerSecond, v.Peers, v.EtaSeconds, v.Error, v.StartedAt, v.CompletedAt, v.ContentUrl, v.BytesReceived, v.CorruptPieces,
            v.Partial, v.DownloadLimit, v.UploadLimit, v.QueuePosition, v.UploadedBytes, v.UploadBytesPerSecond, v.Ratio, v.Sequential,
            [.. details.Peers.Select(DownloadPeerView.Of)], details.Pieces, details.PieceSources, sources);
    }
}

/// <summary>
/// A peer of a download: its address, the client it runs (from its peer id), how fast it sends to us
/// and we to it (bytes per second) and how much over this connection, how much of the file it has
/// (0 to 1), whether it is a seeder, and its character in the piece map once it served a piece.
/// </summary>
public sealed record DownloadPeerView(
    string Address,
    string? Client,
    double DownloadBytesPerSecond,
    double UploadBytesPerSecond,
    long DownloadedBytes,
    long UploadedBytes,
    double Has,
    bool Seeder,
    string Direction,
    bool ChokingUs,
    bool Interested,
    string? Source)
{
    public static DownloadPeerView Of(DownloadPeer p) => new(p.Address, p.Client, Math.Round(p.DownloadBytesPerSecond), Math.Round(p.UploadBytesPerSecond),
        p.Downloaded, p.Uploaded, Math.Round(p.Has, 4), p.Seeder, p.Outgoing ? "outgoing" : "incoming", p.Choking, p.Interested, p.Source);
}

/// <summary>A character of <c>pieceSources</c> and the peer address it stands for.</summary>
public sealed record DownloadSourceView(string Key, string Address);
