using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Api;

/// <summary>
/// Where the bytes of a file this peer holds whole are on disk: a single file by its info-hash, one file of a
/// folder by its path inside the folder. Only paths the torrent lists are found (compared as the API shows them,
/// never joined onto a folder), so a path that climbs or names something else is simply not there.
/// </summary>
public static class HeldContent
{
    /// <summary>The local file and the name to serve it under, or the problem to answer.</summary>
    public readonly record struct Found(string? Path, string? Name, IResult? Problem);

    public static Found Single(Id160 id, PeerStorage storage, HeldFiles held)
    {
        var item = held.Find(id);
        var path = item is null ? null : storage.ContentPath(id, item.Name);
        if (item is not null && Directory.Exists(path))
            return new(null, null, TypedResults.Problem(title: "A folder", detail: $"{item.Name} is a folder: open one of its files at content/{{path}} (see the file's details).", statusCode: 404));
        if (item is null || !File.Exists(path))
            return new(null, null, TypedResults.Problem(title: "File not available", detail: "This peer does not hold that file whole (yet).", statusCode: 404));
        return new(path, item.Name, null);
    }

    public static async Task<Found> InFolderAsync(Id160 id, string path, PeerStorage storage, HeldFiles held, TorrentRefetch torrents, CancellationToken cancellationToken)
    {
        var item = held.Find(id);
        var torrentPath = storage.TorrentPath(id);
        var folder = item is null ? null : storage.ContentPath(id, item.Name);
        if (item is null || !Directory.Exists(folder) || !File.Exists(torrentPath))
            return new(null, null, TypedResults.Problem(title: "File not available", detail: "This peer does not hold that folder whole (yet).", statusCode: 404));
        // Only paths the torrent lists are served, found where the download put them (a torn copy is fetched again).
        if (await torrents.LoadAsync(id, cancellationToken) is not { } torrent)
            return new(null, null, TypedResults.Problem(title: "Torrent not available", detail: "This peer's copy of the .torrent is damaged and the tracker has no sound one.", statusCode: 404));
        var local = ContentFiles.PathsOf(torrent, folder!);
        for (var i = 0; i < torrent.Files.Count; i++)
        {
            if (FileDetailsView.PathOf(torrent.Files[i]) != path) continue;
            if (!File.Exists(local[i])) break;
            return new(local[i], Path.GetFileName(local[i]), null);
        }
        return new(null, null, TypedResults.Problem(title: "File not available", detail: $"{item.Name} has no file '{path}'.", statusCode: 404));
    }
}
