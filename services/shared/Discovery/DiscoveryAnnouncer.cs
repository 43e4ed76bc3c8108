using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BitTorrent.Shared.Discovery;

/// <summary>
/// Multicasts this node's <see cref="NodeAnnouncement"/> to the discovery group every interval, signed with the
/// <see cref="DiscoveryKey"/> when one is given (a chord node always has one: its ring secret).
/// </summary>
public sealed partial class DiscoveryAnnouncer(
    IOptions<DiscoveryOptions> options,
    Func<NodeAnnouncement> announcement,
    ILogger<DiscoveryAnnouncer> logger,
    DiscoveryKey? key = null,
    TimeProvider? timeProvider = null) : BackgroundService
{
    private readonly DiscoveryOptions _options = options.Value;
    private readonly DiscoveryKey _key = key ?? DiscoveryKey.None;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        Socket socket;
        try
        {
            socket = DiscoverySockets.CreateSender(_options);
        }
        catch (SocketException e)
        {
            LogSocketFailed(_options.Group, _options.Port, _options.Interface, e);
            return;
        }
        using var _ = socket;
        var group = new IPEndPoint(_options.GroupAddress, _options.Port);
        LogStarted(_options.Group, _options.Port, _options.Interface, _options.Ttl);
        using var timer = new PeriodicTimer(_options.Interval);
        do
        {
            try
            {
                // Built each time: the node's url may only be known once the server has started.
                var node = announcement();
                var datagram = _key.IsSet ? node.ToSignedUtf8Json(_key, _time.GetUtcNow()) : node.ToUtf8Json();
                await socket.SendToAsync(datagram, SocketFlags.None, group, stoppingToken);
            }
            catch (Exception e) when (e is SocketException or InvalidOperationException)
            {
                LogSendFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping cancels the periodic wait; that is the normal end.
        }
    }

    [LoggerMessage(LogLevel.Information, "Announcing on multicast {Group}:{Port} via {Interface} (TTL {Ttl})")]
    private partial void LogStarted(string group, int port, string @interface, int ttl);

    [LoggerMessage(LogLevel.Error, "Cannot send to multicast {Group}:{Port} via {Interface}; not announcing")]
    private partial void LogSocketFailed(string group, int port, string @interface, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Could not send the discovery announcement")]
    private partial void LogSendFailed(Exception exception);
}
