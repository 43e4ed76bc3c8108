using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Publishing (the upload form): the file (or a folder of files) is copied into Storage, hashed into pieces,
/// its .torrent made (listing the gateway's web seed when <c>Peer:WebSeedUrl</c> is set), put in the DHT, and seeded
/// at once, asking the ring for <c>copies</c> seeders when above 1. The same content twice is one file.
/// </summary>
public sealed partial class Publisher(
    PeerStorage storage,
    TransferEngine engine,
    SwarmSync swarms,
    MagnetLinks links,
    IOptions<PeerOptions> options,
    TimeProvider time,
    ILogger<Publisher> logger)
{
    public async Task<PublishOutcome> PublishAsync(Stream content, string? fileName, CancellationToken cancellationToken, int copies = 1)
    {
        if (!engine.IsStarted) throw new TransferEngineNotStartedException();
        var name = SafeName.Sanitize(Path.GetFileName(fileName ?? ""))
            ?? throw new PublishException($"'{fileName}' cannot be used as a file name.");
        var upload = Path.Combine(storage.UploadsFolder, Guid.NewGuid().ToString("N") + ".part");
        try
        {
            await using (var target = new FileStream(upload, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                await content.CopyToAsync(target, 1 << 16, cancellationToken);

            var announce = links.AnnounceUrl;
            var torrent = await Task.Run(() => TorrentMetainfo.CreateFromFile(upload, announce, name, options.Value.WebSeedUrl, cancellationToken), cancellationToken);

            var existing = storage.Find(torrent.InfoHash);
            if (existing is not null)
            {
                await swarms.EnsurePublishedAsync(torrent, cancellationToken, copies);
                return new PublishOutcome(existing, Created: false);
            }

            var path = storage.ContentPath(torrent.InfoHash, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(upload, path, overwrite: true);
            storage.SaveTorrent(torrent.InfoHash, torrent.Encoded);
            await engine.SeedAsync(torrent, path);
            var item = storage.Add(new LibraryItem(torrent.InfoHash, name, torrent.Length, LibraryOrigin.Published, time.GetUtcNow()));
            await swarms.EnsurePublishedAsync(torrent, cancellationToken, copies);
            await swarms.AnnounceSeedingAsync(torrent.InfoHash, "completed", cancellationToken);
            LogPublished(logger, name, torrent.InfoHash.ToString(), torrent.Length);
            ReturnUploadMemory(torrent.Length);
            return new PublishOutcome(item, Created: true);
        }
        finally
        {
            if (File.Exists(upload)) File.Delete(upload);
        }
    }

    /// <summary>Uploads from this size on are followed by a collection that gives memory back (<see cref="ReturnUploadMemory"/>).</summary>
    private const long LargeUploadBytes = 64L << 20;

    /// <summary>
    /// Reading a large multipart upload allocates tens of megabytes per GiB in small objects (the framework's
    /// asynchronous reads); the few collections that run meanwhile leave the heap regions those objects passed
    /// through committed, several MiB that a seeding peer would otherwise keep for as long as it runs. One
    /// aggressive collection after such an upload (once per large file published, a few milliseconds) hands them
    /// back to the operating system.
    /// </summary>
    private static void ReturnUploadMemory(long bytes)
    {
        if (bytes >= LargeUploadBytes) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>
    /// Publishes a folder (a multi-file torrent): every upload is named by its relative path
    /// ("photos/2024/a.jpg"), see <see cref="FolderPaths"/>.
    /// The files go into the torrent sorted by path, so the same folder always makes the same torrent.
    /// </summary>
    public async Task<PublishOutcome> PublishFolderAsync(IReadOnlyList<(Stream Content, string? RelativePath)> uploads, string? name, CancellationToken cancellationToken,
        int copies = 1)
    {
        if (!engine.IsStarted) throw new TransferEngineNotStartedException();
        var files = FolderPaths(uploads.Select(u => u.RelativePath).ToList(), name, out var folder);
        var staging = Path.Combine(storage.UploadsFolder, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var sources = new List<(IReadOnlyList<string> Path, string Source)>(files.Count);
            for (var i = 0; i < uploads.Count; i++)
            {
                var source = Path.Combine(staging, i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".part");
                await using (var target = new FileStream(source, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    await uploads[i].Content.CopyToAsync(target, 1 << 16, cancellationToken);
                sources.Add((files[i], source));
            }
            sources.Sort((a, b) => string.CompareOrdinal(string.Join('/', a.Path), string.Join('/', b.Path)));

            var announce = links.AnnounceUrl;
            var torrent = await Task.Run(() => TorrentMetainfo.CreateFromFiles(folder, sources, announce, options.Value.WebSeedUrl, cancellationToken), cancellationToken);

            var existing = storage.Find(torrent.InfoHash);
            if (existing is not null)
            {
                await swarms.EnsurePublishedAsync(torrent, cancellationToken, copies);
                return new PublishOutcome(existing, Created: false);
            }

            var root = storage.ContentPath(torrent.InfoHash, folder);
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true); // a half-moved earlier attempt
            foreach (var (path, source) in sources)
            {
                var destination = SafeName.ResolvePathInside(root, path);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Move(source, destination);
            }
            await File.WriteAllBytesAsync(storage.TorrentPath(torrent.InfoHash), torrent.ToBytes(), cancellationToken);
            await engine.SeedAsync(torrent, root);
            var item = storage.Add(new LibraryItem(torrent.InfoHash, folder, torrent.Length, LibraryOrigin.Published, time.GetUtcNow()));
            await swarms.EnsurePublishedAsync(torrent, cancellationToken, copies);
            await swarms.AnnounceSeedingAsync(torrent.InfoHash, "completed", cancellationToken);
            LogPublishedFolder(logger, folder, files.Count, torrent.InfoHash.ToString(), torrent.Length);
            ReturnUploadMemory(torrent.Length);
            return new PublishOutcome(item, Created: true);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// The torrent's name and each upload's path inside its folder. Paths are relative ("folder/sub/file");
    /// every segment is made usable or refused ("..", ".", empty segments, absolute paths); no path twice.
    /// The name is <paramref name="name"/> when given, else the top folder every path shares; a top folder
    /// shared by every path is not repeated inside the torrent's folder.
    /// </summary>
    internal static List<string[]> FolderPaths(IReadOnlyList<string?> relativePaths, string? name, out string folder)
    {
        if (relativePaths.Count == 0) throw new PublishException("A folder needs at least one file.");
        if (relativePaths.Count > TorrentMetainfo.MaxFiles) throw new PublishException($"A folder may hold at most {TorrentMetainfo.MaxFiles} files.");
        var cleaned = new List<string[]>(relativePaths.Count);
        foreach (var relative in relativePaths)
        {
            var raw = (relative ?? "").Replace('\\', '/');
            if (raw.StartsWith('/') || raw.Contains(':')) throw new PublishException($"'{relative}' is an absolute path; send paths relative to the folder.");
            cleaned.Add(SafeName.SanitizePath(raw.Split('/'))
                ?? throw new PublishException($"'{relative}' cannot be used: a path may not have empty, '.' or '..' parts."));
        }
        var top = cleaned[0][0];
        var sharedTop = cleaned.All(p => p.Length >= 2 && p[0] == top);
        if (!string.IsNullOrWhiteSpace(name))
        {
            folder = SafeName.Sanitize(name.Trim()) ?? throw new PublishException($"'{name}' cannot be used as a folder name.");
        }
        else if (sharedTop) folder = top;
        else throw new PublishException("The files are not all in one folder: name each 'folder/…/file', or give the torrent a 'name'.");

        var paths = new List<string[]>(cleaned.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in cleaned)
        {
            var inside = sharedTop ? path[1..] : path;
            if (!seen.Add(string.Join('/', inside))) throw new PublishException($"'{string.Join('/', inside)}' is sent twice.");
            paths.Add(inside);
        }
        return paths;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published folder {Name} ({Files} files, {InfoHash}, {Length} bytes)")]
    private static partial void LogPublishedFolder(ILogger logger, string name, int files, string infoHash, long length);

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Name} ({InfoHash}, {Length} bytes)")]
    private static partial void LogPublished(ILogger logger, string name, string infoHash, long length);
}

public sealed record PublishOutcome(LibraryItem Item, bool Created);

public sealed class PublishException(string message) : Exception(message);
