using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using Microsoft.Extensions.Options;

namespace BitTorrent.ChordNode.Membership;

/// <summary>
/// Brings this node into the ring and keeps it there: joins through a member heard by discovery
/// or given as a seed (or founds the ring), then runs maintenance and replica synchronisation
/// periodically until shutdown.
/// </summary>
public sealed partial class RingHost(
    Stabilizer stabilizer,
    DhtNode dht,
    IMemberSource members,
    IOptions<ChordOptions> options,
    TimeProvider time,
    ILogger<RingHost> logger) : BackgroundService
{
    private readonly ChordOptions _options = options.Value;

    /// <summary>True once this node has joined a ring or founded one.</summary>
    public bool Ready => Node.Settled;

    private RingNode Node => stabilizer.Node;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        stabilizer.BeforeAnnounce = dht.TakeOverFromAsync;
        try
        {
            await JoinOrFoundAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        await Task.WhenAll(MaintainAsync(stoppingToken), SynchronizeAsync(stoppingToken));
    }

    /// <summary>
    /// Waits up to JoinWait for members. A member already in a ring (settled, even if alone) is
    /// joined at once. When everyone heard is still starting (a ring starting together), the one with
    /// the smallest id founds it and the others join through it, so simultaneous starts make one ring,
    /// not several; and a node started after a founder never founds a second ring beside it.
    /// </summary>
    private async Task JoinOrFoundAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(_options.JoinWait.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            var (inRing, alone) = await ProbeCandidatesAsync(cancellationToken);
            if (inRing is not null && await TryJoinAsync(inRing, cancellationToken)) return;
            if (time.GetTimestamp() >= deadline)
            {
                var founder = alone.Append(Node.Self).MinBy(n => n.Id)!;
                if (founder.Id == Node.Self.Id)
                {
                    Node.MarkSettled();
                    LogFounded(logger, Node.Self.Url);
                    return;
                }
                if (await TryJoinAsync(founder, cancellationToken)) return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }
    }

    private async Task<(NodeRef? InRing, List<NodeRef> Alone)> ProbeCandidatesAsync(CancellationToken cancellationToken)
    {
        var alone = new List<NodeRef>();
        foreach (var url in members.CandidateUrls())
        {
            if (string.Equals(url, Node.Self.Url, StringComparison.Ordinal)) continue;
            try
            {
                var state = await Node.Transport.GetStateAsync(NodeRef.ForUrl(url), cancellationToken);
                if (state.Self.Id == Node.Self.Id) continue;
                var isAlone = state.Predecessor is null && state.Successors.All(s => s.Id == state.Self.Id);
                if (!isAlone || state.Settled) return (state.Self, alone);
                alone.Add(state.Self);
            }
            catch (NodeUnreachableException)
            {
                // Not up yet, or gone.
            }
        }
        return (null, alone);
    }

    private async Task<bool> TryJoinAsync(NodeRef via, CancellationToken cancellationToken)
    {
        try
        {
            await stabilizer.JoinAsync(via, cancellationToken);
            Node.MarkSettled();
            LogJoined(logger, Node.Self.Url, via.Url, Node.Successor.Url);
            return true;
        }
        catch (Exception e) when (e is NodeUnreachableException or LookupFailedException)
        {
            LogJoinFailed(logger, via.Url, e.Message);
            return false;
        }
    }

    private async Task MaintainAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.StabilizeInterval, time);
        var round = 0;
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await stabilizer.RunRoundAsync(stoppingToken);
                // A node still alone a while after founding (its ring died around it, or the
                // nodes it knows never heard of it) joins whatever it hears of: a ring first,
                // else the smallest lone node. Two lone nodes joining each other still make one ring.
                if (Node.IsAlone && ++round % 4 == 0)
                {
                    var (inRing, alone) = await ProbeCandidatesAsync(stoppingToken);
                    var target = inRing ?? alone.MinBy(n => n.Id);
                    if (target is not null) await TryJoinAsync(target, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogMaintenanceFailed(logger, e);
            }
        }
    }

    private async Task SynchronizeAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SyncInterval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await dht.SynchronizeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogSyncFailed(logger, e);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Url} founded a new ring")]
    private static partial void LogFounded(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Url} joined the ring through {Via}; successor {Successor}")]
    private static partial void LogJoined(ILogger logger, string url, string via, string successor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Joining through {Via} failed: {Reason}")]
    private static partial void LogJoinFailed(ILogger logger, string via, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A maintenance round failed")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica synchronisation failed")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}
