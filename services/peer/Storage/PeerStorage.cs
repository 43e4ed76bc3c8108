using System.Text.Json;
using BitTorrent.Peer.Hosting;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Storage;

/// <summary>
/// The Storage folder. User files live under files/{infoHash}/{name}, so two files with one name
/// never collide and no user file shares a folder with internal state; torrents under
/// torrents/{infoHash}.torrent; download state and the library under state/; identity in peer.json.
/// </summary>
public sealed class PeerStorage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Lock _gate = new();
    private List<LibraryItem>? _library; // read from disk once, then written through

    public PeerStorage(IOptions<PeerOptions> options)
    {
        Root = Path.GetFullPath(options.Value.StoragePath);
        Directory.CreateDirectory(FilesFolder);
        Directory.CreateDirectory(TorrentsFolder);
        Directory.CreateDirectory(StateFolder);
        Directory.CreateDirectory(UploadsFolder);
    }

    public string Root { get; }
    public string FilesFolder => Path.Combine(Root, "files");
    public string TorrentsFolder => Path.Combine(Root, "torrents");
    public string StateFolder => Path.Combine(Root, "state");
    public string DownloadStateFolder => Path.Combine(StateFolder, "downloads");

    /// <summary>Uploads land here before they are hashed and moved into files/.</summary>
    public string UploadsFolder => Path.Combine(StateFolder, "uploads");

    private string IdentityPath => Path.Combine(Root, "peer.json");
    private string LibraryPath => Path.Combine(StateFolder, "library.json");

    /// <summary>Where a file's content lives; the name is checked so it cannot leave its folder.</summary>
    public string ContentPath(Id160 infoHash, string name) =>
        SafeName.ResolveInside(Path.Combine(FilesFolder, infoHash.ToString()), name);

    public string TorrentPath(Id160 infoHash) => Path.Combine(TorrentsFolder, infoHash + ".torrent");

    // ---- identity ---------------------------------------------------------------------------

    /// <summary>
    /// The id and token this peer registered with, or null when it has none it can use: no peer.json, a damaged
    /// one, or one without a token (written before tokens existed). In each case the peer registers again.
    /// </summary>
    public PeerIdentityRecord? LoadIdentity()
    {
        lock (_gate)
        {
            if (!File.Exists(IdentityPath)) return null;
            try
            {
                var identity = JsonSerializer.Deserialize<PeerIdentityRecord>(File.ReadAllText(IdentityPath), Json);
                return identity is { PeerId: > 0, Token.Length: > 0 } ? identity : null;
            }
            catch (JsonException)
            {
                return null; // a damaged identity file: register again
            }
        }
    }

    /// <summary>Keeps the id and its token in peer.json (readable by this user only: the token is a secret).</summary>
    public void SaveIdentity(PeerIdentityRecord identity)
    {
        lock (_gate) WriteAtomically(IdentityPath, identity);
    }

    // ---- library: published and downloaded files -------------------------------------------

    public IReadOnlyList<LibraryItem> Library()
    {
        lock (_gate) return [.. LoadLibrary()];
    }

    public LibraryItem? Find(Id160 infoHash)
    {
        lock (_gate) return LoadLibrary().FirstOrDefault(i => i.InfoHash == infoHash);
    }

    /// <summary>Adds an item, or keeps the existing one (publishing the same content twice is one file).</summary>
    public LibraryItem Add(LibraryItem item)
    {
        lock (_gate)
        {
            var items = LoadLibrary().ToList();
            var existing = items.FirstOrDefault(i => i.InfoHash == item.InfoHash);
            if (existing is not null) return existing;
            items.Add(item);
            WriteAtomically(LibraryPath, items);
            _library = items;
            return item;
        }
    }

    /// <summary>Takes an item out of the library (its files are the caller's); false if it was not there.</summary>
    public bool Remove(Id160 infoHash)
    {
        lock (_gate)
        {
            var items = LoadLibrary().Where(i => i.InfoHash != infoHash).ToList();
            if (items.Count == LoadLibrary().Count) return false;
            WriteAtomically(LibraryPath, items);
            _library = items;
            return true;
        }
    }

    /// <summary>Deletes a torrent's data (files/{infoHash}, with everything in it) and its .torrent.</summary>
    public void DeleteData(Id160 infoHash)
    {
        var folder = Path.Combine(FilesFolder, infoHash.ToString());
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        File.Delete(TorrentPath(infoHash));
    }

    /// <summary>The library, read from state/library.json on first use (callers hold the lock and never modify it).</summary>
    private List<LibraryItem> LoadLibrary()
    {
        if (_library is not null) return _library;
        if (!File.Exists(LibraryPath)) return _library = [];
        try
        {
            return _library = JsonSerializer.Deserialize<List<LibraryItem>>(File.ReadAllBytes(LibraryPath), Json) ?? [];
        }
        catch (JsonException)
        {
            return _library = [];
        }
    }

    /// <summary>
    /// Writes a state file so that a crash leaves either the old file or the new one, never a torn one: serialised
    /// straight into a temporary file beside it (mode 0600 on Unix; no copy of the whole document in memory: the
    /// library of a peer with thousands of files is rewritten at each addition), flushed to the disk, then renamed
    /// over the old one.
    /// </summary>
    private static void WriteAtomically<T>(string path, T value)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 16 * 1024 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, value, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
