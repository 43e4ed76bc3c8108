namespace BitTorrent.Peer.Api;

public sealed record DownloadRequest(string InfoHash);
