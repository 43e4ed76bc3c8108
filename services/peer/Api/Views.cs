using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Storage;

namespace BitTorrent.Peer.Api;

/// <summary>
/// A download as the API and the UI show it. Urls are relative, so they work behind the gateway
/// too. BytesReceived counts payload this run of the peer received (a resumed download does not
/// fetch its verified pieces again); CorruptPieces counts pieces that failed their SHA-1 check (their
/// senders were dropped).
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
    int CorruptPieces)
{
    public static DownloadView Of(DownloadSnapshot s)
    {
        var remaining = s.TotalBytes - s.BytesDone;
        double? eta = s.State == DownloadState.Downloading && s.BytesPerSecond > 1 ? remaining / s.BytesPerSecond : null;
        var state = s.State switch
        {
            DownloadState.WaitingForPeers => "waiting",
            _ => s.State.ToString().ToLowerInvariant(),
        };
        var id = s.InfoHash.ToString();
        return new DownloadView(id, s.Name, state, s.BytesDone, s.TotalBytes, s.Progress, s.PiecesDone, s.PieceCount,
            s.BytesPerSecond, s.ConnectedPeers, eta, s.Error, s.StartedAt, s.CompletedAt,
            s.State == DownloadState.Completed ? $"api/files/{id}/content" : null, s.BytesReceived, s.CorruptPieces);
    }
}

/// <summary>A file this peer holds: published here or downloaded.</summary>
public sealed record FileView(string InfoHash, string Name, long Length, string Origin, DateTimeOffset AddedAt, string ContentUrl, string TorrentUrl)
{
    public static FileView Of(LibraryItem item)
    {
        var id = item.InfoHash.ToString();
        return new FileView(id, item.Name, item.Length, item.Origin.ToString().ToLowerInvariant(), item.AddedAt,
            $"api/files/{id}/content", $"api/files/{id}/torrent");
    }
}

/// <summary>A catalog row with what this peer can do with it: "have", "downloading", "available" or "unavailable".</summary>
public sealed record CatalogEntry(string InfoHash, string Name, long Length, int Seeders, int Leechers, string Status, string TorrentUrl);

/// <summary>Who this peer is and how it reaches the tracker.</summary>
public sealed record MeView(long PeerId, bool Ready, string ApiUrl, string TransferHost, int TransferPort, TrackerView Tracker);

public sealed record TrackerView(string? Current, string? Manual, IReadOnlyList<string> Discovered, IReadOnlyList<string> Candidates);

public sealed record TrackerChoice(string? Url);

public sealed record DownloadRequest(string InfoHash);
