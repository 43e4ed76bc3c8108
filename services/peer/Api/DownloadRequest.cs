namespace BitTorrent.Peer.Api;

/// <summary>
/// What to download: an info-hash from the catalog, or a magnet link (<c>magnet:?xt=urn:btih:…</c>); optionally
/// only some of its files, by their paths as the file's details list them (every file when absent).
/// </summary>
public sealed record DownloadRequest(string? InfoHash, string? Magnet = null, IReadOnlyList<string>? Files = null);
