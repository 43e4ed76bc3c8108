namespace BitTorrent.Peer.Api;

/// <summary>What to download: an info-hash from the catalog, or a magnet link (<c>magnet:?xt=urn:btih:…</c>).</summary>
public sealed record DownloadRequest(string? InfoHash, string? Magnet = null);
