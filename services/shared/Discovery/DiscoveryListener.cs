using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BitTorrent.Shared.Discovery;

/// <summary>
/// Listens to the discovery group and keeps the set of live nodes: those heard from within
/// <see cref="DiscoveryOptions.ExpiryIntervals"/> intervals. With a <see cref="DiscoveryKey"/> it hears only
/// announcements signed with it and fresh (<see cref="DiscoveryOptions.SignatureWindow"/>): unsigned, forged and
/// stale datagrams are ignored. Without one it verifies nothing (<see cref="Verified"/> is false). Thread-safe.
/// </summary>
public sealed partial class DiscoveryListener(
    IOptions<DiscoveryOptions> options,
    ILogger<DiscoveryListener> logger,
    TimeProvider? timeProvider = null,
    DiscoveryKey? key = null) : BackgroundService
{
    private readonly DiscoveryOptions _options = options.Value;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly DiscoveryKey _key = key ?? DiscoveryKey.None;
    private readonly ConcurrentDictionary<Id160, Sighting> _nodes = new();
    private long _lastRejectionLogged;
    private TaskCompletionSource _firstSighting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record Sighting(NodeAnnouncement Node, long LastSeenTimestamp);

    /// <summary>True when every node this listener reports came in an announcement signed with the ring secret.</summary>
    public bool Verified => _key.IsSet;

    /// <summary>Raised (on the receive loop) when a node is heard that was not live before.</summary>
    public event Action<NodeAnnouncement>? NodeDiscovered;

    /// <summary>Nodes heard from recently, in id order.</summary>
    public IReadOnlyList<NodeAnnouncement> LiveNodes
    {
        get
        {
            var now = _time.GetTimestamp();
            var live = new List<NodeAnnouncement>(_nodes.Count);
            foreach (var (id, sighting) in _nodes)
            {
                if (IsLive(sighting, now)) live.Add(sighting.Node);
                else _nodes.TryRemove(new KeyValuePair<Id160, Sighting>(id, sighting));
            }
            live.Sort(static (a, b) => a.Id.CompareTo(b.Id));
            return live;
        }
    }

    /// <summary>Completes with the live nodes as soon as there is at least one.</summary>
    public async Task<IReadOnlyList<NodeAnnouncement>> WaitForAnyAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var live = LiveNodes;
            if (live.Count > 0) return live;
            var first = Volatile.Read(ref _firstSighting);
            // Re-check after taking the signal so a sighting in between is not missed.
            live = LiveNodes;
            if (live.Count > 0) return live;
            await first.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records a sighting; public so tests and static seeds can feed nodes in without a socket.</summary>
    public void Observe(NodeAnnouncement node)
    {
        var now = _time.GetTimestamp();
        var isNew = true;
        _nodes.AddOrUpdate(node.Id,
            static (_, state) => new Sighting(state.node, state.now),
            (_, previous, state) =>
            {
                isNew = !IsLive(previous, state.now) || previous.Node.Url != state.node.Url;
                return new Sighting(state.node, state.now);
            },
            (node, now));
        if (!isNew) return;
        LogDiscovered(node.Id.Short, node.Url);
        Interlocked.Exchange(ref _firstSighting, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        NodeDiscovered?.Invoke(node);
    }

    private bool IsLive(Sighting sighting, long now) => _time.GetElapsedTime(sighting.LastSeenTimestamp, now) <= _options.Expiry;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        Socket socket;
        try
        {
            socket = DiscoverySockets.CreateReceiver(_options);
        }
        catch (SocketException e)
        {
            // Without multicast the service still runs on static seeds; it must not take the host down.
            LogSocketFailed(_options.Group, _options.Port, _options.Interface, e);
            return;
        }
        using var _ = socket;
        LogListening(_options.Group, _options.Port, _options.Interface);
        // One byte more than the largest announcement, so an oversized datagram is recognised, not truncated into validity.
        var buffer = new byte[NodeAnnouncement.MaxDatagramBytes + 1];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stoppingToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
            {
                LogIgnored("oversized", null);
                continue;
            }
            catch (SocketException e)
            {
                LogReceiveFailed(e);
                await Task.Delay(_options.Interval, _time, stoppingToken).ConfigureAwait(false);
                continue;
            }
            if (received.ReceivedBytes > NodeAnnouncement.MaxDatagramBytes)
            {
                LogIgnored("oversized", received.RemoteEndPoint);
                continue;
            }
            var datagram = buffer.AsSpan(0, received.ReceivedBytes);
            NodeAnnouncement? node;
            if (_key.IsSet)
            {
                var verdict = NodeAnnouncement.TryParseSigned(datagram, _key, _time.GetUtcNow(), _options.SignatureWindow, out node);
                if (verdict != DatagramVerdict.Accepted)
                {
                    // At most one warning per interval: a flood of forged datagrams must not flood the log too.
                    var now = _time.GetTimestamp();
                    if (_lastRejectionLogged == 0 || _time.GetElapsedTime(_lastRejectionLogged, now) >= _options.Interval)
                    {
                        _lastRejectionLogged = now;
                        LogRejected(verdict, received.RemoteEndPoint);
                    }
                    continue;
                }
            }
            else
            {
                node = NodeAnnouncement.TryParse(datagram);
            }
            if (node is null)
            {
                LogIgnored("malformed", received.RemoteEndPoint);
                continue;
            }
            Observe(node);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Normal end of the receive loop.
        }
    }

    [LoggerMessage(LogLevel.Information, "Listening for nodes on multicast {Group}:{Port} via {Interface}")]
    private partial void LogListening(string group, int port, string @interface);

    [LoggerMessage(LogLevel.Information, "Discovered node {Id} at {Url}")]
    private partial void LogDiscovered(string id, string url);

    [LoggerMessage(LogLevel.Debug, "Ignored a {Reason} discovery datagram from {Sender}")]
    private partial void LogIgnored(string reason, EndPoint? sender);

    [LoggerMessage(LogLevel.Warning, "Ignored a discovery datagram from {Sender}: {Verdict}")]
    private partial void LogRejected(DatagramVerdict verdict, EndPoint? sender);

    [LoggerMessage(LogLevel.Error, "Cannot listen on multicast {Group}:{Port} via {Interface}; discovery is off")]
    private partial void LogSocketFailed(string group, int port, string @interface, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Discovery receive failed")]
    private partial void LogReceiveFailed(Exception exception);
}
