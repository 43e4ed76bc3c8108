using System.Net;
using System.Net.Sockets;
using System.Text;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Identifiers;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Trust;

/// <summary>
/// A chord node hears forged discovery datagrams, each pointing at a listener of the test's: unsigned, signed with
/// another secret, and signed with the ring secret but stale. None of those listeners ever receives a request (so
/// never the ring secret). A fresh announcement signed with the ring secret, pointing at a fourth listener, does get
/// the node's ring RPC with the secret: the test would see a leak.
/// </summary>
[Collection(Alone.Name)]
[Trait(Alone.Trait, Alone.Value)]
public sealed class DiscoverySpoofingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Unsigned_forged_and_stale_announcements_never_receive_the_ring_secret_and_the_node_still_forms_its_ring()
    {
        var port = Random.Shared.Next(40_000, 60_000);
        await using var ring = new ChordRing(output, new Dictionary<string, string>
        {
            ["Discovery__Enabled"] = "true",
            ["Discovery__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Discovery__Interface"] = "127.0.0.1",
            ["Discovery__Ttl"] = "0",
            ["Discovery__Interval"] = "00:00:00.300",
            ["Chord__JoinWait"] = "00:00:04",
        });
        using var unsigned = new RequestRecorder();
        using var forged = new RequestRecorder();
        using var stale = new RequestRecorder();
        using var genuine = new RequestRecorder();
        var key = new DiscoveryKey(ChordRing.Secret);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Loopback.GetAddressBytes());
        sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 0);
        var group = new IPEndPoint(IPAddress.Parse("239.255.4.3"), port);

        // The forged ones get the smallest ids, which a starting node would try first.
        static NodeAnnouncement At(RequestRecorder listener, int rank) =>
            new(new Id160(0, 0, (uint)rank), listener.Url);

        var node = ring.StartNode(seeds: []);
        using var stop = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                await sender.SendToAsync(At(unsigned, 1).ToUtf8Json(), group);
                await sender.SendToAsync(At(forged, 2).ToSignedUtf8Json(new DiscoveryKey("not-the-ring-secret-at-all"), now), group);
                await sender.SendToAsync(At(stale, 3).ToSignedUtf8Json(key, now.AddMinutes(-5)), group);
                await sender.SendToAsync(At(genuine, 4).ToSignedUtf8Json(key, now), group);
                await Task.Delay(200);
            }
        });
        try
        {
            await ring.WaitReadyAsync(node);
            await Eventually.TrueAsync(() => Task.FromResult(genuine.Requests.Count > 0), TimeSpan.FromSeconds(30), "the genuine announcement was never contacted");
            await Task.Delay(TimeSpan.FromSeconds(3)); // the node keeps probing while alone: give the forged ones every chance
        }
        finally
        {
            await stop.CancelAsync();
            await sending;
        }

        Assert.Contains(genuine.Requests, r => r.Contains($"X-Ring-Secret: {ChordRing.Secret}", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(unsigned.Requests);
        Assert.Empty(forged.Requests);
        Assert.Empty(stale.Requests);
        Assert.Contains("Ignored a discovery datagram", node.Log, StringComparison.Ordinal);

        // The node still works: it founded its ring and a second node (seeded) joins it.
        var second = ring.StartNode(seeds: [node.Url]);
        await ring.WaitReadyAsync(second);
        await ring.WaitConvergedAsync();
    }

    /// <summary>A TCP listener on 127.0.0.1 that keeps the head of every request it receives and answers 404.</summary>
    private sealed class RequestRecorder : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<string> _requests = [];
        private readonly CancellationTokenSource _stop = new();

        public RequestRecorder()
        {
            _listener.Start();
            _ = Task.Run(AcceptAsync);
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public IReadOnlyList<string> Requests
        {
            get { lock (_requests) return [.. _requests]; }
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
                _ = Task.Run(async () =>
                {
                    using var _ = client;
                    var stream = client.GetStream();
                    var buffer = new byte[8192];
                    var head = new StringBuilder();
                    try
                    {
                        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            var read = await stream.ReadAsync(buffer, _stop.Token);
                            if (read == 0) break;
                            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                        }
                        lock (_requests) _requests.Add(head.ToString());
                        await stream.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
                    {
                        lock (_requests) _requests.Add(head.ToString());
                    }
                });
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
