using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Volunteering;

/// <summary>
/// Lends the ring this peer's disk. While the volunteer room (<see cref="PeerSettings.VolunteerMaxBytes"/>) is above 0, it
/// asks the ring for work every <see cref="VolunteerAssignment.PollAfterSeconds"/>, reporting the room left, the fetch
/// slots left and the volunteer copies it holds and fetches, and does what the ring answers: a fetch starts a download
/// marked as a volunteer copy (<see cref="VolunteerCopies"/>), a drop removes a volunteer copy and its data. Bounded: a
/// fetch starts only within the room and the slots left, a room lowered below what the copies take drops the newest
/// (all of them when volunteering is switched off), and only volunteer copies are ever dropped or counted: a file the user
/// published or downloaded is never touched. A tracker error is logged and the next round asks again.
/// </summary>
public sealed partial class VolunteerAgent(
    PeerSettingsStore settings,
    PeerStorage storage,
    PeerRuntime runtime,
    ITrackerOwnerCalls tracker,
    VolunteerCopies copies,
    IVolunteerFiles files,
    IOptions<VolunteerOptions> options,
    TimeProvider time,
    ILogger<VolunteerAgent> logger) : BackgroundService
{
    /// <summary>At most this many tasks of one answer are looked at (an answer is the ring's, but bounded all the same).</summary>
    public const int MaxTasksPerRound = 256;

    private static readonly TimeSpan NotReadyPoll = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly VolunteerOptions _options = options.Value;

    /// <summary>Starts the next round now (the volunteer room was changed).</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // a round is already due
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan next;
            try
            {
                next = await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong in one round (a full disk, a file in use), the peer keeps running and the next round tries again.
                LogRoundFailed(logger, e.GetType().Name, e.Message);
                next = _options.RetryInterval;
            }
            using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            await Task.WhenAny(_wake.WaitAsync(round.Token), Task.Delay(next, time, round.Token));
            await round.CancelAsync();
        }
    }

    /// <summary>One round: tidy up, report, act on the answer. Returns how long to wait before the next.</summary>
    public async Task<TimeSpan> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!runtime.Ready) return NotReadyPoll;
        var maxBytes = settings.Current.VolunteerMaxBytes;
        await TidyAsync(maxBytes, cancellationToken);
        if (maxBytes == 0) return _options.RetryInterval; // not volunteering: a changed setting wakes the agent
        var token = storage.LoadIdentity()?.Token;
        if (token is null) return _options.RetryInterval;

        var report = Report(maxBytes);
        VolunteerAssignment assignment;
        try
        {
            using var response = await tracker.CallAsOwnerAsync(
                (api, ct) => api.GetVolunteerAssignmentAsync(runtime.PeerId, report, token, ct), cancellationToken);
            if (!response.IsSuccessStatusCode || response.Content is null)
            {
                LogAskRefused(logger, (int?)response.StatusCode ?? 0);
                return _options.RetryInterval;
            }
            assignment = response.Content;
        }
        catch (Exception e) when (e is TrackerUnavailableException or HttpRequestException or Refit.ApiException)
        {
            LogAskFailed(logger, e.Message);
            return _options.RetryInterval;
        }
        await ActAsync(assignment.Tasks ?? [], report, cancellationToken);
        return TimeSpan.FromSeconds(Math.Clamp(assignment.PollAfterSeconds, 1, 3600));
    }

    /// <summary>What this peer tells the ring: the room and slots left, and its volunteer copies held and being fetched.</summary>
    public VolunteerReport Report(long maxBytes)
    {
        var held = new List<string>();
        var fetching = new List<string>();
        foreach (var copy in copies.All())
        {
            var state = files.StateOf(copy.InfoHash);
            if (state == VolunteerFileState.Held && held.Count < VolunteerReport.MaxHeld) held.Add(copy.InfoHash.ToString());
            else if (state == VolunteerFileState.Fetching && fetching.Count < VolunteerReport.MaxHeld) fetching.Add(copy.InfoHash.ToString());
        }
        var free = Math.Max(0, maxBytes - copies.UsedBytes());
        var slots = Math.Max(0, _options.MaxConcurrentFetches - fetching.Count);
        return new VolunteerReport(free, slots, held, fetching);
    }

    private async Task ActAsync(IReadOnlyList<VolunteerTask> tasks, VolunteerReport report, CancellationToken cancellationToken)
    {
        var free = report.FreeBytes;
        var slots = report.FreeSlots;
        foreach (var task in tasks.Take(MaxTasksPerRound))
        {
            if (task is null || !Id160.TryParse(task.InfoHash?.ToLowerInvariant(), out var infoHash)) continue;
            if (task.Action == VolunteerAction.Drop)
            {
                if (!copies.Contains(infoHash))
                {
                    LogDropRefused(logger, task.InfoHash!); // only volunteer copies are ever dropped
                    continue;
                }
                await DropAsync(infoHash, "the ring has enough copies", cancellationToken);
                continue;
            }
            if (task.Action != VolunteerAction.Fetch || copies.Contains(infoHash)) continue;
            if (files.IsHere(infoHash)) continue; // the user's own file: it is seeded already
            if (slots == 0 || task.Length <= 0 || task.Length > free)
            {
                LogFetchSkipped(logger, task.InfoHash!, task.Length, free, slots);
                continue;
            }
            copies.Add(new VolunteerCopy(infoHash, task.Length, time.GetUtcNow()));
            try
            {
                var length = await files.FetchAsync(infoHash, cancellationToken);
                if (length != task.Length)
                {
                    // The torrent's own length counts; a room now exceeded is brought back at the next tidy.
                    copies.Remove(infoHash);
                    copies.Add(new VolunteerCopy(infoHash, length, time.GetUtcNow()));
                }
                free -= length;
                slots--;
                LogFetching(logger, task.InfoHash!, length);
            }
            catch (Exception e) when (e is DownloadRefusedException or TrackerUnavailableException or TransferEngineNotStartedException or IOException)
            {
                copies.Remove(infoHash);
                LogFetchFailed(logger, task.InfoHash!, e.Message);
            }
        }
    }

    /// <summary>
    /// Forgets copies removed by hand, drops those whose download failed, and drops the newest copies (fetches first) while
    /// they take more than the room.
    /// </summary>
    private async Task TidyAsync(long maxBytes, CancellationToken cancellationToken)
    {
        var states = copies.All().Select(c => (Copy: c, State: files.StateOf(c.InfoHash))).ToList();
        foreach (var (copy, state) in states)
        {
            if (state == VolunteerFileState.Gone) copies.Remove(copy.InfoHash);
            else if (state == VolunteerFileState.Failed) await DropAsync(copy.InfoHash, "its download failed", cancellationToken);
        }
        var used = copies.UsedBytes();
        var newestFirst = states.Where(s => s.State is VolunteerFileState.Fetching or VolunteerFileState.Held)
            .OrderBy(s => s.State == VolunteerFileState.Fetching ? 0 : 1).ThenByDescending(s => s.Copy.Since).Select(s => s.Copy);
        foreach (var copy in newestFirst)
        {
            if (used <= maxBytes) break;
            await DropAsync(copy.InfoHash, maxBytes == 0 ? "volunteering is off" : "the volunteer room is full", cancellationToken);
            used -= copy.Length;
        }
    }

    private async Task DropAsync(Id160 infoHash, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await files.DropAsync(infoHash, cancellationToken);
        }
        catch (TrackerUnavailableException e)
        {
            LogStoppedFailed(logger, infoHash.ToString(), e.Message); // removed here all the same; the tracker forgets us when announces stop
        }
        copies.Remove(infoHash);
        LogDropped(logger, infoHash.ToString(), reason);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask the ring for volunteer work: {Reason}; asking again later")]
    private static partial void LogAskFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ring refused this peer's volunteer report ({Status}); asking again later")]
    private static partial void LogAskRefused(ILogger logger, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetching {InfoHash} ({Length} bytes) as a volunteer copy")]
    private static partial void LogFetching(ILogger logger, string infoHash, long length);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipped fetching {InfoHash} ({Length} bytes): {Free} bytes and {Slots} fetch slots left")]
    private static partial void LogFetchSkipped(ILogger logger, string infoHash, long length, long free, int slots);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch {InfoHash} as a volunteer copy: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string infoHash, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped the volunteer copy {InfoHash}: {Reason}")]
    private static partial void LogDropped(ILogger logger, string infoHash, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ring asked to drop {InfoHash}, which is not a volunteer copy here: kept")]
    private static partial void LogDropRefused(ILogger logger, string infoHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The 'stopped' announce of the dropped copy {InfoHash} failed: {Reason}")]
    private static partial void LogStoppedFailed(ILogger logger, string infoHash, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A volunteer round failed ({Type}: {Reason}); trying again later")]
    private static partial void LogRoundFailed(ILogger logger, string type, string reason);
}
