using System.Net;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// A torrent this peer needs (to seed a library file, to rebuild the library): the kept copy in
/// torrents/ when it is sound, otherwise the tracker's, checked against the info-hash and kept
/// (atomically) in place of the torn or missing copy.
/// </summary>
public sealed partial class TorrentRefetch(PeerStorage storage, TrackerConnection tracker, ILogger<TorrentRefetch> logger)
{
    /// <summary>
    /// The torrent, or null when neither the kept copy nor the tracker has a sound one. Throws
    /// <see cref="TrackerUnavailableException"/> when the copy is unusable and no tracker node answers.
    /// </summary>
    public async Task<TorrentMetainfo?> LoadAsync(Id160 infoHash, CancellationToken cancellationToken)
    {
        if (storage.LoadTorrent(infoHash) is { } kept) return kept;
        var damaged = File.Exists(storage.TorrentPath(infoHash));
        var bytes = await tracker.CallAsync(async (api, ct) =>
        {
            using var response = await api.GetTorrentAsync(infoHash.ToString(), ct);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if ((int)response.StatusCode >= 500) throw new HttpRequestException($"The tracker answered {(int)response.StatusCode}.");
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsByteArrayAsync(ct);
        }, cancellationToken);
        if (bytes is null || !storage.SaveTorrent(infoHash, bytes))
        {
            LogNotRefetched(logger, infoHash.ToString());
            return null;
        }
        if (damaged) LogRefetched(logger, infoHash.ToString());
        return storage.LoadTorrent(infoHash);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The kept torrent {InfoHash} was torn or did not match its name; fetched it again from the tracker")]
    private static partial void LogRefetched(ILogger logger, string infoHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No sound torrent {InfoHash} here nor at the tracker")]
    private static partial void LogNotRefetched(ILogger logger, string infoHash);
}
