namespace BitTorrent.Shared.Torrents;

/// <summary>
/// One file of a torrent: its path inside the torrent's folder (segments as the torrent names them,
/// untrusted: see <see cref="SafeName.ResolvePathInside"/>), its length, and where its bytes start in
/// the torrent's concatenated content. A single-file torrent has one file whose path is its name.
/// </summary>
public sealed record TorrentFile(IReadOnlyList<string> Path, long Length, long Offset)
{
    /// <summary>The path with '/' between segments, as the API and the UI show it.</summary>
    public string DisplayPath => string.Join('/', Path);
}
