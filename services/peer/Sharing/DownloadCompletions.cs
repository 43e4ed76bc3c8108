using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Peer.Volunteering;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// Moves finished downloads into the library: it subscribes to the engine's download events
/// (before the engine starts, so restored downloads are seen too) and, for each completion, adds
/// the file to the library and tells the tracker this peer now seeds it. A download completed with only
/// some files chosen stays a download (it is not whole, so neither in the library nor announced as a seeder).
/// </summary>
public sealed partial class DownloadCompletions : BackgroundService
{
    private readonly PeerStorage _storage;
    private readonly TransferEngine _engine;
    private readonly SwarmSync _swarms;
    private readonly VolunteerCopies _volunteerCopies;
    private readonly ILogger<DownloadCompletions> _logger;
    private DownloadEventSubscription _subscription;

    public DownloadCompletions(PeerStorage storage, TransferEngine engine, SwarmSync swarms, VolunteerCopies volunteerCopies, ILogger<DownloadCompletions> logger)
    {
        _volunteerCopies = volunteerCopies;
        _storage = storage;
        _engine = engine;
        _swarms = swarms;
        _logger = logger;
        _subscription = engine.Events.Subscribe();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await foreach (var e in _subscription.Reader.ReadAllAsync(stoppingToken))
                        if (e.Kind == DownloadEventKind.Completed) await TakeInAsync(e, stoppingToken);
                    return;
                }
                catch (DownloadEventsLaggedException)
                {
                    // Too far behind: subscribe again and take in whatever completed meanwhile.
                    _subscription.Dispose();
                    _subscription = _engine.Events.Subscribe();
                    LogLagged(_logger);
                    foreach (var download in _engine.GetDownloads().Where(d => d is { State: DownloadState.Completed, Partial: false }))
                        await TakeInAsync(DownloadEvent.Of(download, DownloadEventKind.Completed, DateTimeOffset.UtcNow), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _subscription.Dispose();
        }
    }

    private async Task TakeInAsync(DownloadEvent completed, CancellationToken cancellationToken)
    {
        if (_storage.Find(completed.InfoHash) is not null) return;
        var snapshot = _engine.GetDownload(completed.InfoHash);
        if (snapshot is { Partial: true }) return;
        var item = snapshot is null
            ? new LibraryItem(completed.InfoHash, Path.GetFileName(completed.TargetPath), completed.TotalBytes, LibraryOrigin.Downloaded, completed.At)
            : HeldFiles.ItemOf(snapshot);
        // A volunteer copy says so in its library record too: it is the ring's, listed apart and dropped when the ring asks.
        if (_volunteerCopies.Contains(item.InfoHash)) item = item with { Origin = LibraryOrigin.Volunteered };
        try
        {
            _storage.Add(item);
        }
        catch (IOException e)
        {
            LogLibraryFailed(_logger, item.Name, e.Message); // still listed through HeldFiles; added again after a restart
            return;
        }
        LogCompleted(_logger, item.Name);
        try
        {
            await _swarms.AnnounceSeedingAsync(item.InfoHash, "completed", cancellationToken);
        }
        catch (TrackerUnavailableException e)
        {
            LogAnnounceFailed(_logger, item.Name, e.Message); // the next library refresh announces it
        }
    }

    public override void Dispose()
    {
        _subscription.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded {Name}; seeding it")]
    private static partial void LogCompleted(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the tracker we seed {Name}: {Reason}")]
    private static partial void LogAnnounceFailed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not add {Name} to the library: {Reason}")]
    private static partial void LogLibraryFailed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download events came faster than the library took them in; caught up from the downloads list")]
    private static partial void LogLagged(ILogger logger);
}
