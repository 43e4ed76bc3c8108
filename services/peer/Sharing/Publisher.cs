using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Publishing (the upload form): the file is copied into Storage, hashed into pieces,
/// its .torrent made, put in the DHT, and seeded at once. The same content twice is one file.
/// </summary>
public sealed partial class Publisher(
    PeerStorage storage,
    TransferEngine engine,
    TrackerConnection tracker,
    SwarmSync swarms,
    IOptions<PeerOptions> options,
    TimeProvider time,
    ILogger<Publisher> logger)
{
    public async Task<PublishOutcome> PublishAsync(Stream content, string? fileName, CancellationToken cancellationToken)
    {
        if (!engine.IsStarted) throw new TransferEngineNotStartedException();
        var name = SafeName.Sanitize(Path.GetFileName(fileName ?? ""))
            ?? throw new PublishException($"'{fileName}' cannot be used as a file name.");
        var upload = Path.Combine(storage.UploadsFolder, Guid.NewGuid().ToString("N") + ".part");
        try
        {
            await using (var target = new FileStream(upload, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                await content.CopyToAsync(target, 1 << 20, cancellationToken);

            var announce = options.Value.AnnounceUrl ?? $"{tracker.Current ?? tracker.Candidates().FirstOrDefault() ?? "http://127.0.0.1:5101"}/announce";
            var torrent = await Task.Run(() => TorrentMetainfo.CreateFromFile(upload, announce, name, cancellationToken), cancellationToken);

            var existing = storage.Find(torrent.InfoHash);
            if (existing is not null)
            {
                await swarms.EnsurePublishedAsync(torrent, cancellationToken);
                return new PublishOutcome(existing, Created: false);
            }

            var path = storage.ContentPath(torrent.InfoHash, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(upload, path, overwrite: true);
            storage.SaveTorrent(torrent.InfoHash, torrent.Encoded);
            await engine.SeedAsync(torrent, path);
            var item = storage.Add(new LibraryItem(torrent.InfoHash, name, torrent.Length, LibraryOrigin.Published, time.GetUtcNow()));
            await swarms.EnsurePublishedAsync(torrent, cancellationToken);
            await swarms.AnnounceSeedingAsync(torrent.InfoHash, "completed", cancellationToken);
            LogPublished(logger, name, torrent.InfoHash.ToString(), torrent.Length);
            return new PublishOutcome(item, Created: true);
        }
        finally
        {
            if (File.Exists(upload)) File.Delete(upload);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Name} ({InfoHash}, {Length} bytes)")]
    private static partial void LogPublished(ILogger logger, string name, string infoHash, long length);
}

public sealed record PublishOutcome(LibraryItem Item, bool Created);

public sealed class PublishException(string message) : Exception(message);
