namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// What a peer tells the tracker about itself with each refresh (<c>PUT /api/tracker/peers/{peerId}/status</c>,
/// with its token): public figures anyone may read in <c>GET /api/tracker/peers</c>, for the gateway's fleet view.
/// Small and bounded: the body is at most <see cref="MaxBodyBytes"/> and every field is range-checked.
/// </summary>
/// <param name="ActiveDownloads">Downloads running or waiting for peers.</param>
/// <param name="DownloadBytesPerSecond">Payload received per second over all downloads.</param>
/// <param name="UploadBytesPerSecond">Payload served per second over all connections.</param>
/// <param name="FilesShared">Files in the peer's library (published or downloaded), all seeded.</param>
/// <param name="Version">The peer's version, for display (letters, digits and <c>.+-</c>, at most 32).</param>
/// <param name="RefreshSeconds">How often the peer reports: the tracker keeps the status for two of these.</param>
public sealed record PeerStatusReport(int ActiveDownloads, long DownloadBytesPerSecond, long UploadBytesPerSecond, int FilesShared, string? Version, int RefreshSeconds)
{
    /// <summary>Largest request body the status route reads (a report is about 150 bytes).</summary>
    public const int MaxBodyBytes = 1024;

    public const int MaxVersionLength = 32;

    /// <summary>The fastest rate a peer may report, 1 TiB/s: anything above is not a measurement.</summary>
    public const long MaxBytesPerSecond = 1L << 40;

    /// <summary>Each refused field with a sentence saying why; empty when the report is valid.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (ActiveDownloads is < 0 or > 100_000) errors["activeDownloads"] = ["Active downloads must be from 0 to 100000."];
        if (DownloadBytesPerSecond is < 0 or > MaxBytesPerSecond) errors["downloadBytesPerSecond"] = ["The download rate must be from 0 to 1 TiB/s."];
        if (UploadBytesPerSecond is < 0 or > MaxBytesPerSecond) errors["uploadBytesPerSecond"] = ["The upload rate must be from 0 to 1 TiB/s."];
        if (FilesShared is < 0 or > 10_000_000) errors["filesShared"] = ["Files shared must be from 0 to 10000000."];
        if (Version is not null && (Version.Length is 0 or > MaxVersionLength || !Version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '-')))
            errors["version"] = [$"A version is 1 to {MaxVersionLength} letters, digits, dots, pluses or dashes."];
        if (RefreshSeconds is < 1 or > 3600) errors["refreshSeconds"] = ["The refresh period must be from 1 to 3600 seconds."];
        return errors;
    }
}
