using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BitTorrent.ContainerTests.Infrastructure;

namespace BitTorrent.ContainerTests;

/// <summary>
/// The images run with exactly what the rendered Helm chart gives each pod (command, args, environment with
/// the downward API and the ring Secret resolved, users, volumes, probes), every container on the host's
/// network as the chart's hostNetwork asks, pinned to loopback: the pod IP is 127.0.0.1, the servers listen
/// there only, and multicast discovery goes out on 127.0.0.1 with TTL 0. Ports are free ones chosen per run.
/// </summary>
[Collection(ChartContainerCollection.Name)]
public sealed class ChartSmokeTests
{
    private const string PodIp = "127.0.0.1";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_chart_with_pods_sharing_one_host_forms_the_ring_and_moves_a_file_from_one_peer_to_another()
    {
        var ports = HostPorts.Reserve(ringPods: 3, peerPods: 2);
        var plan = await PodPlan.RenderAsync(["tests/chart/values/smoke.yaml"], ports.Values, PodIp);
        var (ring, peers, gateway) = (plan.Workload("ring"), plan.Workload("peer"), plan.Workload("gateway"));
        Assert.Equal([3, 2, 1], new[] { ring.Pods.Count, peers.Pods.Count, gateway.Pods.Count });
        Assert.All(plan.Workloads.SelectMany(w => w.Pods), pod =>
        {
            Assert.Equal("127.0.0.1", pod.Container.EnvValue("Discovery__Interface"));
            Assert.Equal("0", pod.Container.EnvValue("Discovery__Ttl"));
        });

        await using var pods = new HostPods(nameof(The_chart_with_pods_sharing_one_host_forms_the_ring_and_moves_a_file_from_one_peer_to_another), plan);
        await pods.StartAsync(ring, ReadyTimeout); // OrderedReady: one member at a time
        await Task.WhenAll(pods.StartAsync(peers, ReadyTimeout), pods.StartAsync(gateway, ReadyTimeout));
        var gatewayUrl = new Uri($"http://{PodIp}:{ports.Gateway}");

        // The ring forms from multicast alone: every pod at its own port (ring.port + ordinal), seen through the gateway.
        var expected = Enumerable.Range(0, 3).Select(i => $"http://{PodIp}:{ports.Ring + i}").Order().ToList();
        await Eventually.SucceedsAsync(async () =>
        {
            var members = (await PeerApi.GetJsonAsync(new Uri(gatewayUrl, "/api/tracker/ring"))).GetProperty("members")
                .EnumerateArray().Select(m => m.GetProperty("url").GetString()!).Order().ToList();
            return members.SequenceEqual(expected) ? null : $"members {string.Join(", ", members)}";
        }, PeerApi.Timeout, "the gateway sees the three ring pods");

        // Each peer at its own API and transfer ports (+ ordinal), registered under its API URL.
        var ids = new long[peers.Pods.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            var me = await PeerApi.GetJsonAsync(new Uri($"http://{PodIp}:{ports.PeerApi + i}/api/me"));
            Assert.Equal($"http://{PodIp}:{ports.PeerApi + i}", me.GetProperty("apiUrl").GetString());
            Assert.Equal(ports.PeerTransfer + i, me.GetProperty("transferPort").GetInt32());
            Assert.Equal(PodIp, me.GetProperty("transferHost").GetString());
            ids[i] = me.GetProperty("peerId").GetInt64();
        }

        // Every pod passes the chart's liveness probe too, and nothing listens beyond loopback.
        foreach (var pod in pods.Pods)
        {
            Assert.Null(await pod.ProbeAsync(pod.Plan.Container.Liveness!));
        }
        HostPorts.AssertListeningOnLoopbackOnly(ports.All);

        // A file published on peer 0 moves to peer 1, through the gateway.
        var content = PeerApi.RandomBytes(5 * 1024 * 1024 + 3, seed: 11);
        var infoHash = await PeerApi.PublishAsync(gatewayUrl, ids[0], "smoke.bin", content);
        await PeerApi.DownloadAsync(gatewayUrl, ids[1], infoHash);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await PeerApi.ContentAsync(gatewayUrl, ids[1], infoHash)));
    }

    [Fact]
    public async Task The_charts_default_layout_runs_with_its_fixed_ports_and_http_probes()
    {
        // The defaults (one ring pod per node, fixed ports, kubelet's HTTP probes) on one host: one pod of each.
        var ports = HostPorts.Reserve(ringPods: 1, peerPods: 1);
        var sets = new Dictionary<string, string>(ports.Values)
        {
            ["listenAddress"] = PodIp,
            ["discovery.interface"] = PodIp,
            ["discovery.ttl"] = "0",
            ["ring.replicas"] = "1",
            ["peers.replicas"] = "1",
        };
        var plan = await PodPlan.RenderAsync([], sets, PodIp);
        var (ring, peers, gateway) = (plan.Workload("ring"), plan.Workload("peer"), plan.Workload("gateway"));
        Assert.All(plan.Workloads.SelectMany(w => w.Pods), pod =>
        {
            Assert.Null(pod.Container.Command); // the image's own entrypoint, with the chart's args
            Assert.NotNull(pod.Container.Readiness?.HttpGet);
        });

        await using var pods = new HostPods(nameof(The_charts_default_layout_runs_with_its_fixed_ports_and_http_probes), plan);
        await pods.StartAsync(ring, ReadyTimeout);
        await Task.WhenAll(pods.StartAsync(peers, ReadyTimeout), pods.StartAsync(gateway, ReadyTimeout));
        var gatewayUrl = new Uri($"http://{PodIp}:{ports.Gateway}");

        await Eventually.SucceedsAsync(async () =>
        {
            var peerList = await PeerApi.GetJsonAsync(new Uri(gatewayUrl, "/api/tracker/peers"));
            return peerList.EnumerateArray().Any(p => p.GetProperty("apiUrl").GetString() == $"http://{PodIp}:{ports.PeerApi}")
                ? null : $"peers {peerList}";
        }, PeerApi.Timeout, "the peer registers with the ring through the gateway");
        var members = (await PeerApi.GetJsonAsync(new Uri(gatewayUrl, "/api/tracker/ring"))).GetProperty("members");
        Assert.Equal([$"http://{PodIp}:{ports.Ring}"], members.EnumerateArray().Select(m => m.GetProperty("url").GetString()));
        foreach (var pod in pods.Pods)
        {
            Assert.Null(await pod.ProbeAsync(pod.Plan.Container.Liveness!));
        }
        HostPorts.AssertListeningOnLoopbackOnly(ports.All);

        var id = await PeerApi.PeerIdAsync(new Uri($"http://{PodIp}:{ports.PeerApi}"));
        var content = PeerApi.RandomBytes(64 * 1024, seed: 12);
        var infoHash = await PeerApi.PublishAsync(gatewayUrl, id, "default.bin", content);
        var files = await PeerApi.GetJsonAsync(new Uri(gatewayUrl, "/api/tracker/files"));
        Assert.Contains(files.EnumerateArray(), f => f.GetProperty("infoHash").GetString() == infoHash);
    }

    /// <summary>Free host ports for one run, as chart values: ring, peer API and transfer ranges, the gateway, multicast.</summary>
    private sealed record HostPorts(int Ring, int PeerApi, int PeerTransfer, int Gateway, int Multicast, int RingPods, int PeerPods)
    {
        public IReadOnlyDictionary<string, string> Values => new Dictionary<string, string>
        {
            ["ring.port"] = Text(Ring),
            ["peers.apiPort"] = Text(PeerApi),
            ["peers.transferPort"] = Text(PeerTransfer),
            ["gateway.containerPort"] = Text(Gateway),
            ["discovery.port"] = Text(Multicast),
            // The peers' API key, as a user would give one (else each peer makes its own in its volume).
            ["peers.extraEnv[0].name"] = "Peer__ApiKey",
            ["peers.extraEnv[0].value"] = BitTorrent.ContainerTests.Infrastructure.PeerApi.Key,
        };

        public IReadOnlyList<int> All =>
        [
            .. Enumerable.Range(Ring, RingPods),
            .. Enumerable.Range(PeerApi, PeerPods),
            .. Enumerable.Range(PeerTransfer, PeerPods),
            Gateway,
        ];

        private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// Blocks of ten ports from a random base in 20000–32690, every TCP port (and the UDP one) checked free: below
        /// the kernel's ephemeral range (32768 up), so neither Docker's published ports for the clusters of the other
        /// container tests running beside this one nor any outgoing connection can take one before the pods bind it.
        /// </summary>
        public static HostPorts Reserve(int ringPods, int peerPods)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var start = 20000 + (Random.Shared.Next(0, 1270) * 10);
                var ports = new HostPorts(start, start + 10, start + 20, start + 30, start + 40, ringPods, peerPods);
                if (ports.All.All(TcpFree) && UdpFree(ports.Multicast)) return ports;
            }
            throw new InvalidOperationException("no block of free ports found");
        }

        private static bool TcpFree(int port) => Free(SocketType.Stream, ProtocolType.Tcp, port);

        private static bool UdpFree(int port) => Free(SocketType.Dgram, ProtocolType.Udp, port);

        private static bool Free(SocketType type, ProtocolType protocol, int port)
        {
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
                socket.Bind(new IPEndPoint(IPAddress.Any, port));
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        /// <summary>
        /// Every listening TCP socket on <paramref name="ports"/> (the pods share this network namespace, so
        /// /proc/net/tcp and tcp6 show them) is bound to 127.0.0.1, and each port has one.
        /// </summary>
        public static void AssertListeningOnLoopbackOnly(IEnumerable<int> ports)
        {
            var listening = ListeningSockets();
            foreach (var port in ports)
            {
                var addresses = listening.Where(s => s.Port == port).Select(s => s.Address).Distinct().ToList();
                Assert.True(addresses.Count > 0, $"nothing listens on port {port}");
                Assert.True(addresses.All(a => a == "127.0.0.1"), $"port {port} listens on {string.Join(", ", addresses)}, not only on 127.0.0.1");
            }
        }

        private static List<(string Address, int Port)> ListeningSockets()
        {
            const string Listen = "0A";
            var sockets = new List<(string, int)>();
            foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            {
                if (!File.Exists(file)) continue;
                foreach (var line in File.ReadLines(file).Skip(1))
                {
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length < 4 || fields[3] != Listen) continue;
                    var local = fields[1].Split(':');
                    var port = int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    sockets.Add((Address(local[0]), port));
                }
            }
            return sockets;
        }

        /// <summary>/proc/net/tcp's hex address (little-endian words) as text; IPv6 ones keep their hex form.</summary>
        private static string Address(string hex)
        {
            if (hex.Length != 8) return $"[{hex}]";
            var value = uint.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return new IPAddress(value).ToString();
        }
    }
}
