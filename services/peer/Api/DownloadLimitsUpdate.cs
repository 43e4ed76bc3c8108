namespace BitTorrent.Peer.Api;

/// <summary>The body of <c>PUT /api/downloads/{id}/limits</c>: bytes per second, 0 unlimited; a field left out keeps its value.</summary>
public sealed record DownloadLimitsUpdate(long? DownloadLimit, long? UploadLimit);
