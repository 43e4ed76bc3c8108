using System.Net;
using System.Net.Sockets;
using System.Text;
using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.IntegrationTests.Discovery;

/// <summary>Real multicast sockets on 127.0.0.1 with TTL 0, as local runs use them.</summary>
public sealed class LoopbackDiscoveryTests
{
    private static DiscoveryOptions LoopbackOptions(int intervalMs = 100) => new()
    {
        // A random high port so a running local system on 1234 neither hears nor disturbs the test.
        Port = Random.Shared.Next(40_000, 60_000),
        Interface = "127.0.0.1",
        Ttl = 0,
        Interval = TimeSpan.FromMilliseconds(intervalMs),
    };

    [Fact]
    public async Task Listener_finds_an_announcer_on_loopback()
    {
        var options = Options.Create(LoopbackOptions());
        var node = new NodeAnnouncement(Id160.Hash("http://127.0.0.1:5001"), "http://127.0.0.1:5001");
        using var listener = new DiscoveryListener(options, NullLogger<DiscoveryListener>.Instance);
        using var secondListener = new DiscoveryListener(options, NullLogger<DiscoveryListener>.Instance);
        using var announcer = new DiscoveryAnnouncer(options, () => node, NullLogger<DiscoveryAnnouncer>.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await listener.StartAsync(timeout.Token);
        await secondListener.StartAsync(timeout.Token);
        await announcer.StartAsync(timeout.Token);
        try
        {
            var found = await listener.WaitForAnyAsync(timeout.Token);
            var foundBySecond = await secondListener.WaitForAnyAsync(timeout.Token);

            Assert.Equal([node], found);
            Assert.Equal([node], foundBySecond); // two sockets on one port both hear the group
        }
        finally
        {
            await announcer.StopAsync(CancellationToken.None);
            await listener.StopAsync(CancellationToken.None);
            await secondListener.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Listener_ignores_garbage_and_oversized_datagrams()
    {
        // A long interval: the one valid sighting must stay live however slow the machine is.
        var config = LoopbackOptions(intervalMs: 5000);
        var options = Options.Create(config);
        using var listener = new DiscoveryListener(options, NullLogger<DiscoveryListener>.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await listener.StartAsync(timeout.Token);
        try
        {
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Loopback.GetAddressBytes());
            sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 0);
            var group = new IPEndPoint(IPAddress.Parse(config.Group), config.Port);
            var valid = new NodeAnnouncement(Id160.Hash("valid"), "http://127.0.0.1:5002");
            var oversized = Encoding.UTF8.GetBytes($$"""{"id":"{{Id160.Hash("big")}}","url":"http://127.0.0.1:5003/{{new string('a', 2000)}}"}""");
            string[] garbage =
            [
                "not json",
                "{}",
                """{"id":"1234","url":"http://127.0.0.1:1"}""",
                $$"""{"id":"{{Id160.Hash("x")}}","url":"ftp://127.0.0.1:1"}""",
                $$"""{"id":"{{Id160.Hash("y")}}","url":"relative/path"}""",
            ];

            // Send garbage until the listener is surely receiving, then one valid announcement.
            using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var waiting = listener.WaitForAnyAsync(timeout.Token);
            while (!waiting.IsCompleted && !probe.IsCancellationRequested)
            {
                foreach (var text in garbage) await sender.SendToAsync(Encoding.UTF8.GetBytes(text), group);
                await sender.SendToAsync(oversized, group);
                await Task.Delay(50, CancellationToken.None);
                if (probe.Token.IsCancellationRequested) break;
                // Give the garbage a head start before the valid datagram goes out.
                if (!waiting.IsCompleted) await sender.SendToAsync(valid.ToUtf8Json(), group);
            }

            var found = await waiting;
            Assert.Equal([valid], found);
            Assert.Equal([valid], listener.LiveNodes);
        }
        finally
        {
            await listener.StopAsync(CancellationToken.None);
        }
    }
}
