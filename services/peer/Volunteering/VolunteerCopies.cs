using System.Text.Json;
using BitTorrent.Peer.Storage;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Volunteering;

/// <summary>
/// Which files are volunteer copies, kept in state/volunteer-copies.json (through <see cref="AtomicFile"/>) so the mark
/// survives restarts from the first moment of the fetch; once complete the library item says so too
/// (<see cref="LibraryOrigin.Volunteered"/>). A file leaves this list when it is dropped, or when its user downloads or
/// publishes it (<see cref="Adopt"/>): from then on it is the user's and never dropped or counted.
/// A damaged file is renamed aside and the list starts empty (the copies become the user's files, never deleted by mistake).
/// </summary>
public sealed class VolunteerCopies
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly PeerStorage _storage;
    private List<VolunteerCopy>? _copies;

    public VolunteerCopies(PeerStorage storage)
    {
        _storage = storage;
        _path = Path.Combine(storage.StateFolder, "volunteer-copies.json");
    }

    public IReadOnlyList<VolunteerCopy> All()
    {
        lock (_gate) return [.. Load()];
    }

    public bool Contains(Id160 infoHash)
    {
        lock (_gate) return Load().Exists(c => c.InfoHash == infoHash);
    }

    /// <summary>The bytes the volunteer copies take (held or being fetched), by their torrents' lengths.</summary>
    public long UsedBytes()
    {
        lock (_gate) return Load().Sum(c => c.Length);
    }

    /// <summary>Marks a file as a volunteer copy before its fetch starts; false when it already is one.</summary>
    public bool Add(VolunteerCopy copy)
    {
        lock (_gate)
        {
            var copies = Load();
            if (copies.Exists(c => c.InfoHash == copy.InfoHash)) return false;
            Save([.. copies, copy]);
            return true;
        }
    }

    /// <summary>Forgets the mark (the copy was dropped or its fetch refused); false when it was not a volunteer copy.</summary>
    public bool Remove(Id160 infoHash)
    {
        lock (_gate)
        {
            var copies = Load();
            if (!copies.Exists(c => c.InfoHash == infoHash)) return false;
            Save(copies.Where(c => c.InfoHash != infoHash).ToList());
            return true;
        }
    }

    /// <summary>
    /// The user wants this file (a download, a publish of the same content): it stops being a volunteer copy and, if held,
    /// its library item becomes <paramref name="origin"/>. True when it was a volunteer copy.
    /// </summary>
    public bool Adopt(Id160 infoHash, LibraryOrigin origin)
    {
        if (!Remove(infoHash)) return false;
        if (_storage.Find(infoHash) is { Origin: LibraryOrigin.Volunteered } item) _storage.Replace(item with { Origin = origin });
        return true;
    }

    private List<VolunteerCopy> Load()
    {
        if (_copies is not null) return _copies;
        if (!File.Exists(_path)) return _copies = [];
        try
        {
            var copies = JsonSerializer.Deserialize<List<VolunteerCopy>>(File.ReadAllBytes(_path), Json);
            if (copies is not null) return _copies = copies;
        }
        catch (JsonException)
        {
            // kept aside below
        }
        File.Move(_path, $"{_path}.corrupt-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}", overwrite: true);
        return _copies = [];
    }

    private void Save(List<VolunteerCopy> copies)
    {
        AtomicFile.Write(_path, stream => JsonSerializer.Serialize(stream, copies, Json));
        _copies = copies;
    }
}
