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
    private string? _damagedLibraryKeptAs;

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

    // ---- torrent copies ---------------------------------------------------------------------

    /// <summary>
    /// The kept copy of a torrent, or null when there is none we can trust: missing, torn (unparseable) or
    /// describing another file than its name says. A caller then fetches it again from the tracker.
    /// </summary>
    public TorrentMetainfo? LoadTorrent(Id160 infoHash)
    {
        var path = TorrentPath(infoHash);
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        return TorrentMetainfo.TryParse(bytes, TorrentMetainfo.MaxAcceptedPieceLength, out var torrent, out _) && torrent.InfoHash == infoHash
            ? torrent
            : null;
    }

    /// <summary>Keeps a copy of a torrent (written atomically) if it is one and describes <paramref name="infoHash"/>; false otherwise.</summary>
    public bool SaveTorrent(Id160 infoHash, ReadOnlySpan<byte> bytes)
    {
        if (!TorrentMetainfo.TryParse(bytes, TorrentMetainfo.MaxAcceptedPieceLength, out var torrent, out _) || torrent.InfoHash != infoHash) return false;
        AtomicFile.WriteAllBytes(TorrentPath(infoHash), bytes);
        return true;
    }

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

    /// <summary>Replaces the item with the same info-hash (a volunteer copy its user adopted); false if none was there.</summary>
    public bool Replace(LibraryItem item)
    {
        lock (_gate)
        {
            var items = LoadLibrary().ToList();
            var index = items.FindIndex(i => i.InfoHash == item.InfoHash);
            if (index < 0) return false;
            items[index] = item;
            WriteAtomically(LibraryPath, items);
            _library = items;
            return true;
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

    /// <summary>
    /// Where a damaged library.json was kept aside at this start (library.json.corrupt-{time}), or null when it
    /// read well. The library then starts empty and <see cref="Sharing.LibraryRecovery"/> rebuilds it from
    /// torrents/ and files/.
    /// </summary>
    public string? DamagedLibraryKeptAs
    {
        get
        {
            lock (_gate)
            {
                LoadLibrary();
                return _damagedLibraryKeptAs;
            }
        }
    }

    /// <summary>
    /// The library, read from state/library.json on first use (callers hold the lock and never modify it). A file
    /// that does not read as a library (torn by a crash, truncated, edited by hand) is never overwritten: it is
    /// renamed aside and the library starts empty, to be rebuilt.
    /// </summary>
    private List<LibraryItem> LoadLibrary()
    {
        if (_library is not null) return _library;
        if (!File.Exists(LibraryPath)) return _library = [];
        try
        {
            var items = JsonSerializer.Deserialize<List<LibraryItem>>(File.ReadAllBytes(LibraryPath), Json);
            if (items is not null && items.TrueForAll(i => i is { Name: not null })) return _library = items;
        }
        catch (JsonException)
        {
            // kept aside below
        }
        _damagedLibraryKeptAs = $"{LibraryPath}.corrupt-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
        File.Move(LibraryPath, _damagedLibraryKeptAs, overwrite: true);
        AtomicFile.FlushFolder(StateFolder);
        return _library = [];
    }

    /// <summary>Writes a state file through <see cref="AtomicFile"/>: a crash leaves the old file or the new one, never a torn one.</summary>
    private static void WriteAtomically<T>(string path, T value) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, value, Json));
}
