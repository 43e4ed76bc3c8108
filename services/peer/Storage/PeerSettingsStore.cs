using System.Text.Json;
using BitTorrent.Peer.Transfer;
using BitTorrent.Peer.Volunteering;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Storage;

/// <summary>
/// The settings this peer runs with, kept in state/settings.json (written through <see cref="AtomicFile"/>). Until a
/// user saves settings, they are the configured defaults (<c>Transfer:DownloadRateLimit</c>,
/// <c>Transfer:UploadRateLimit</c>, <c>Transfer:MaxActiveDownloads</c>, <c>Peer:Volunteer:MaxBytes</c>); once saved, the saved values win over the
/// configuration at every start. A damaged settings file is renamed aside (settings.json.corrupt-{time}) and the
/// defaults apply. A file saved before a setting existed keeps that setting's configured default.
/// </summary>
public sealed partial class PeerSettingsStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _changes = new(1, 1); // one change saved and applied at a time, so the engine ends with the saved one
    private readonly string _path;
    private readonly ILogger<PeerSettingsStore> _logger;
    private PeerSettings? _current;

    public PeerSettingsStore(PeerStorage storage, IOptions<TransferEngineOptions> engine, ILogger<PeerSettingsStore> logger,
        IOptions<VolunteerOptions>? volunteer = null)
    {
        _path = Path.Combine(storage.StateFolder, "settings.json");
        _logger = logger;
        var options = engine.Value;
        Defaults = new PeerSettings(options.DownloadRateLimit, options.UploadRateLimit, options.MaxActiveDownloads, volunteer?.Value.MaxBytes ?? 0);
    }

    /// <summary>The configured values, in effect until settings are saved.</summary>
    public PeerSettings Defaults { get; }

    /// <summary>The settings in effect: the saved ones, else the defaults.</summary>
    public PeerSettings Current
    {
        get
        {
            lock (_gate) return _current ??= Load() ?? Defaults;
        }
    }

    /// <summary>Saves valid settings, then applies them through <paramref name="apply"/>; changes run one at a time.</summary>
    public async Task ChangeAsync(PeerSettings settings, Func<PeerSettings, Task> apply)
    {
        await _changes.WaitAsync();
        try
        {
            Save(settings);
            await apply(settings);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Applies the settings in effect (at start), in turn with changes.</summary>
    public async Task ApplyCurrentAsync(Func<PeerSettings, Task> apply)
    {
        await _changes.WaitAsync();
        try
        {
            await apply(Current);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Saves valid settings (temporary file, fsync, rename) without applying them.</summary>
    public void Save(PeerSettings settings)
    {
        if (settings.Problems().Count > 0) throw new ArgumentException("The settings are not valid.", nameof(settings));
        lock (_gate)
        {
            AtomicFile.Write(_path, stream => JsonSerializer.Serialize(stream, settings, Json));
            _current = settings;
        }
    }

    private PeerSettings? Load()
    {
        if (!File.Exists(_path)) return null;
        try
        {
            var stored = JsonSerializer.Deserialize<StoredSettings>(File.ReadAllBytes(_path), Json);
            var saved = stored is null ? null
                : new PeerSettings(stored.DownloadLimit, stored.UploadLimit, stored.MaxActiveDownloads, stored.VolunteerMaxBytes ?? Defaults.VolunteerMaxBytes);
            if (saved is not null && saved.Problems().Count == 0) return saved;
        }
        catch (JsonException)
        {
            // kept aside below
        }
        var aside = $"{_path}.corrupt-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
        File.Move(_path, aside, overwrite: true);
        LogDamaged(_logger, aside);
        return null;
    }

    /// <summary>The file as written; a field missing from an older file reads as null and takes its default.</summary>
    private sealed record StoredSettings(long DownloadLimit, long UploadLimit, int MaxActiveDownloads, long? VolunteerMaxBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The settings file could not be read; it was kept as {Path} and the configured defaults apply")]
    private static partial void LogDamaged(ILogger logger, string path);
}
