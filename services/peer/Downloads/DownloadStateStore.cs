using System.Text.Json;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// One small JSON file per download in the state folder ({infoHash}.json), replaced atomically
/// (written to a temporary file, fsynced, then renamed) so a crash leaves the old or the new
/// state, never half. Saves and deletes are queued and done by a background worker, newest per
/// download, so the engine thread never waits for a disk flush; reads see what is queued. A state
/// change is written at once (<see cref="SaveNow"/>: temporary file, rename), so a process that
/// dies right after it has it; the worker then flushes it to the disk. Progress saves (verified
/// pieces, every second while pieces land) are flushed at most every <see cref="ProgressFlushInterval"/>:
/// each flush commits the file system's journal, which also forces out the download's freshly
/// written data, and that slowed a running 1 GiB download; a progress save that is not flushed can
/// only lose verified marks after a power cut (refetched), as the last flushed state stays.
/// On resume the verified bitfield is trusted when the target file still has its full,
/// preallocated length: pieces are written before they are marked verified, and the state is
/// saved after the write, so a crash can only lose verified marks (refetched), never add wrong ones.
/// </summary>
internal sealed class DownloadStateStore : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
    private readonly string _folder;
    private readonly Dictionary<Id160, Pending> _pending = []; // guarded by itself, as are the versions
    private readonly Dictionary<Id160, long> _versions = []; // bumped by every save and delete: an older write never lands over a newer one
    private readonly Thread _worker;
    private readonly Dictionary<Id160, Pending> _inProgress = []; // taken by the worker, not done yet
    private readonly Dictionary<Id160, long> _flushedAt = []; // worker thread only: when a progress save was last flushed

    /// <summary>How often a download's progress saves are flushed to the disk (state changes always are).</summary>
    public static readonly TimeSpan ProgressFlushInterval = TimeSpan.FromSeconds(10);
    private bool _stopped;

    public DownloadStateStore(string folder)
    {
        _folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(_folder);
        _worker = new Thread(Run) { IsBackground = true, Name = "download-state" };
        _worker.Start();
    }

    /// <summary>Queues the record to be written (replacing an older one still queued).</summary>
    public void Save(DownloadRecord record) => Queue(record.InfoHash, record, flushOnly: false);

    /// <summary>
    /// Writes the record now (temporary file, then rename: a process that dies afterwards has it)
    /// and queues the flush to the disk; what was queued for this download before is older and dropped.
    /// </summary>
    public void SaveNow(DownloadRecord record)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        var path = PathOf(record.InfoHash);
        var temporary = path + ".now.tmp"; // the worker writes its own temporary file
        try
        {
            WriteTemporary(temporary, record, flush: false);
            lock (_pending)
            {
                _pending.Remove(record.InfoHash);
                Bump(record.InfoHash);
                File.Move(temporary, path, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Failed?.Invoke(record.InfoHash, e.Message);
            return;
        }
        Queue(record.InfoHash, record, flushOnly: true);
    }

    /// <summary>Queues the state file's deletion.</summary>
    public void Delete(Id160 infoHash) => Queue(infoHash, null, flushOnly: false);

    public DownloadRecord? TryLoad(Id160 infoHash)
    {
        lock (_pending)
            if (_pending.TryGetValue(infoHash, out var queued) || _inProgress.TryGetValue(infoHash, out queued)) return queued.Record;
        var path = PathOf(infoHash);
        return File.Exists(path) ? Read(path) : null;
    }

    public IEnumerable<DownloadRecord> LoadAll()
    {
        Flush();
        foreach (var path in Directory.EnumerateFiles(_folder, "*.json"))
            if (Read(path) is { } record) yield return record;
    }

    public static Bitfield? VerifiedOf(DownloadRecord record, int pieceCount) =>
        Bitfield.TryRead(record.Verified, pieceCount, out var bits) ? bits : null;

    /// <summary>Waits until everything queued is on disk.</summary>
    public void Flush()
    {
        lock (_pending)
            while (_pending.Count > 0 || _inProgress.Count > 0) Monitor.Wait(_pending);
    }

    private void Queue(Id160 infoHash, DownloadRecord? record, bool flushOnly)
    {
        lock (_pending)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            _pending[infoHash] = new Pending(record, flushOnly, Bump(infoHash));
            Monitor.PulseAll(_pending);
        }
    }

    private void Run()
    {
        while (true)
        {
            KeyValuePair<Id160, Pending> next;
            lock (_pending)
            {
                while (_pending.Count == 0 && !_stopped) Monitor.Wait(_pending);
                if (_pending.Count == 0) return;
                next = _pending.First();
                _pending.Remove(next.Key);
                _inProgress[next.Key] = next.Value;
            }
            try
            {
                var path = PathOf(next.Key);
                if (next.Value.Record is not { } record) ReplaceIfCurrent(next.Key, next.Value.Version, () => File.Delete(path));
                else if (next.Value.FlushOnly) FlushFile(path);
                else
                {
                    var now = Environment.TickCount64;
                    var flush = now - _flushedAt.GetValueOrDefault(next.Key, long.MinValue / 2) >= (long)ProgressFlushInterval.TotalMilliseconds;
                    if (flush) _flushedAt[next.Key] = now;
                    WriteTemporary(path + ".tmp", record, flush);
                    if (!ReplaceIfCurrent(next.Key, next.Value.Version, () => File.Move(path + ".tmp", path, overwrite: true))) File.Delete(path + ".tmp");
                    else if (flush) AtomicFile.FlushFolder(_folder); // the rename itself survives a power cut
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Failed?.Invoke(next.Key, e.Message);
            }
            finally
            {
                lock (_pending)
                {
                    _inProgress.Remove(next.Key);
                    Monitor.PulseAll(_pending);
                }
            }
        }
    }

    /// <summary>A save or delete that failed (on the worker's thread): the info-hash and why.</summary>
    public Action<Id160, string>? Failed { get; set; }

    private static void WriteTemporary(string temporary, DownloadRecord record, bool flush)
    {
        using var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write(JsonSerializer.SerializeToUtf8Bytes(record, Json));
        stream.Flush(flushToDisk: flush);
    }

    /// <summary>Applies a queued write or delete unless something newer was saved for that download meanwhile.</summary>
    private bool ReplaceIfCurrent(Id160 infoHash, long version, Action replace)
    {
        lock (_pending)
        {
            if (_versions.GetValueOrDefault(infoHash) != version) return false;
            replace();
            return true;
        }
    }

    private long Bump(Id160 infoHash) => _versions[infoHash] = _versions.GetValueOrDefault(infoHash) + 1;

    private static void FlushFile(string path)
    {
        if (!File.Exists(path)) return;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
            stream.Flush(flushToDisk: true);
        AtomicFile.FlushFolder(Path.GetDirectoryName(path)!);
    }

    private readonly record struct Pending(DownloadRecord? Record, bool FlushOnly, long Version);

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

    /// <summary>Writes what is queued, then stops the worker.</summary>
    public void Dispose()
    {
        lock (_pending)
        {
            if (_stopped) return;
            _stopped = true;
            Monitor.PulseAll(_pending);
        }
        _worker.Join();
    }
}
