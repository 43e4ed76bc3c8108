using BitTorrent.Peer.Transfer;
using BitTorrent.Peer.Volunteering;

namespace BitTorrent.Peer.Storage;

/// <summary>
/// The peer's run-time settings, as <c>GET</c>/<c>PUT /api/settings</c> show them and state/settings.json keeps them:
/// the download and upload limits over everything in bytes per second and the number of downloads fetching at once
/// (0 is unlimited for each), and the bytes this peer lends the ring for volunteer copies (0: it does not volunteer).
/// </summary>
public sealed record PeerSettings(long DownloadLimit, long UploadLimit, int MaxActiveDownloads, long VolunteerMaxBytes = 0)
{
    /// <summary>What is wrong with each field, by its JSON name; empty when every value is allowed.</summary>
    public Dictionary<string, string[]> Problems()
    {
        var problems = new Dictionary<string, string[]>();
        CheckRate(problems, "downloadLimit", DownloadLimit);
        CheckRate(problems, "uploadLimit", UploadLimit);
        if (MaxActiveDownloads is < 0 or > PeerLimits.MaxActiveDownloads)
            problems["maxActiveDownloads"] = [$"The number of active downloads is a whole number from 0 (no limit) to {PeerLimits.MaxActiveDownloads}."];
        if (VolunteerMaxBytes is < 0 or > VolunteerLimits.MaxBytes)
            problems["volunteerMaxBytes"] = [$"The volunteer room is in bytes, from 0 (do not volunteer) to {VolunteerLimits.MaxBytes} (1 PiB)."];
        return problems;
    }

    /// <summary>One rate limit's problem, if any, under its JSON name.</summary>
    public static void CheckRate(Dictionary<string, string[]> problems, string name, long bytesPerSecond)
    {
        if (bytesPerSecond is < 0 or > PeerLimits.MaxBytesPerSecond)
            problems[name] = [$"A limit is in bytes per second, from 0 (unlimited) to {PeerLimits.MaxBytesPerSecond} (10 GiB/s)."];
    }
}
