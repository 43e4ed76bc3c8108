namespace BitTorrent.Peer.Api;

/// <summary>The body of <c>PUT /api/settings</c>: the fields sent change, the fields left out keep their value.</summary>
public sealed record SettingsUpdate(long? DownloadLimit, long? UploadLimit, int? MaxActiveDownloads, long? VolunteerMaxBytes = null);
