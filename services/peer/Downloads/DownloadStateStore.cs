using System.Text.Json;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// One small JSON file per download in the state folder ({infoHash}.json), replaced atomically
/// (written to a temporary file, fsynced, then renamed) so a crash leaves the old or the new
/// state, never half. On resume the verified bitfield is trusted when the target file still has
/// its full, preallocated length: pieces are written before they are marked verified, and the
/// state is saved after the write, so a crash can only lose verified marks (refetched), never add wrong ones.
/// </summary>
internal sealed class DownloadStateStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
    private readonly string _folder;

    public DownloadStateStore(string folder)
    {
        _folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(_folder);
    }

    public void Save(DownloadRecord record)
    {
        var path = PathOf(record.InfoHash);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(record, Json));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public DownloadRecord? TryLoad(Id160 infoHash)
    {
        var path = PathOf(infoHash);
        return File.Exists(path) ? Read(path) : null;
    }

    public IEnumerable<DownloadRecord> LoadAll()
    {
        foreach (var path in Directory.EnumerateFiles(_folder, "*.json"))
            if (Read(path) is { } record) yield return record;
    }

    public void Delete(Id160 infoHash) => File.Delete(PathOf(infoHash));

    public static Bitfield? VerifiedOf(DownloadRecord record, int pieceCount) =>
        Bitfield.TryRead(record.Verified, pieceCount, out var bits) ? bits : null;

    private string PathOf(Id160 infoHash) => Path.Combine(_folder, $"{infoHash}.json");

    private static DownloadRecord? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DownloadRecord>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException)
        {
            return null; // a damaged state file only costs a refetch
        }
    }
}
