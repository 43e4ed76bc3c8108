using System.Globalization;
using System.Text.Json;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;

namespace BitTorrent.ContainerTests.Infrastructure;

/// <summary>
/// The services as containers of the real images on one Docker network of their own. Containers run the
/// way the chart runs them: uid 10001, read-only root with a tmpfs /tmp, every capability dropped,
/// configured only by environment variables. Multicast discovery stays on that network: each container's
/// Discovery__Interface is its own address on it (resolved at start with hostname -i) and the TTL is 1.
/// Published ports are bound to 127.0.0.1 only. Disposing removes every container and the network, and
/// keeps their logs in artifacts/test-logs/containers/&lt;test&gt;/.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    public const string Image = "local";
    public const string RingSecret = "container-test-ring-secret";
    public const int ChordPort = 5101;
    public const int PeerApiPort = 5201;
    public const int PeerTransferPort = 7000;
    public const int GatewayPort = 8080;

    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Every container and network carries the id of the test process that made it, so a later run can remove
    /// what a killed run left behind (scripts/docker.sh clean-tests) without touching a run still going.
    /// </summary>
    public const string OwnerLabel = "io.bittorrent.test.pid";
    private static readonly string OwnerPid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    private readonly List<ServiceContainer> _containers = [];
    private readonly string _logDirectory;
    private readonly string _prefix;

    private Cluster(string testName, INetwork network, string prefix)
    {
        Network = network;
        _prefix = prefix;
        _logDirectory = Path.Combine(DockerEngine.RepositoryRoot, "artifacts", "test-logs", "containers", testName);
    }

    public INetwork Network { get; }

    public IReadOnlyList<ServiceContainer> Containers => _containers;

    public static async Task<Cluster> CreateAsync(string testName)
    {
        var prefix = $"bt-{Guid.NewGuid().ToString("N")[..8]}";
        var network = new NetworkBuilder().WithName($"{prefix}-net").WithLabel(OwnerLabel, OwnerPid).Build();
        await network.CreateAsync();
        return new Cluster(testName, network, prefix);
    }

    /// <summary>A chord node: ring secret set, no seeds, found and finding others by multicast on this network.</summary>
    public Task<ServiceContainer> StartChordNodeAsync(string name, IReadOnlyDictionary<string, string>? env = null) =>
        StartAsync(name, "chord-node", ChordPort, [],
            Wrapper("export Chord__AdvertisedUrl=\"http://$ip:5101\"", "BitTorrent.ChordNode.dll", "--urls http://0.0.0.0:5101"),
            new Dictionary<string, string>
            {
                ["Chord__Secret"] = RingSecret,
                ["Chord__JoinWait"] = "00:00:03",
            }.With(env));

    /// <summary>
    /// The gateway, finding the ring by multicast (and by <paramref name="seeds"/> when given); it holds the ring secret to
    /// verify the nodes' signed announcements (without it, it would follow its seeds only).
    /// </summary>
    public Task<ServiceContainer> StartGatewayAsync(string name, IReadOnlyList<string>? seeds = null, IReadOnlyDictionary<string, string>? env = null) =>
        StartAsync(name, "gateway", GatewayPort, [], Wrapper("", "BitTorrent.Gateway.dll", ""),
            new Dictionary<string, string> { ["Gateway__RingSecret"] = RingSecret }.With(Seeds("Gateway__Seeds", seeds)).With(env));

    /// <summary>
    /// A peer as the chart runs it (Storage at /data, transfer port 7000 on all addresses, advertised at its
    /// address on this network), registered with the tracker through <paramref name="seeds"/> (chord node
    /// URLs on this network, e.g. <see cref="ServiceContainer.NetworkUrl"/>) or multicast. Ready on /readyz.
    /// </summary>
    public Task<ServiceContainer> StartPeerAsync(string name, IReadOnlyList<string>? seeds = null, IReadOnlyDictionary<string, string>? env = null) =>
        StartAsync(name, "peer", PeerApiPort, [PeerTransferPort],
            Wrapper("export Peer__AdvertisedHost=\"$ip\" Peer__ApiUrl=\"http://$ip:5201\"", "BitTorrent.Peer.dll", "--urls http://0.0.0.0:5201"),
            new Dictionary<string, string>
            {
                ["Transfer__Port"] = PeerTransferPort.ToString(CultureInfo.InvariantCulture),
                ["Transfer__BindAddress"] = "0.0.0.0",
                ["Peer__ApiKey"] = PeerApi.Key, // every peer API call of the suite sends it (PeerApi.Http)
            }.With(Seeds("Tracker__Seeds", seeds)).With(env));

    private static Dictionary<string, string> Seeds(string prefix, IReadOnlyList<string>? seeds) =>
        (seeds ?? []).Select((url, i) => (Key: $"{prefix}__{i}", Url: url)).ToDictionary(p => p.Key, p => p.Url);

    /// <summary>
    /// The container learns its own address on the network only at start: a small sh wrapper sets the
    /// multicast interface (and advertised URLs, in <paramref name="exports"/>) to it, then execs the service.
    /// </summary>
    private static string Wrapper(string exports, string dll, string arguments) =>
        "set -e; set -- $(hostname -i); ip=$1; export Discovery__Interface=\"$ip\"; "
        + (exports.Length > 0 ? exports + "; " : "")
        + $"exec dotnet {dll} {arguments}".TrimEnd();

    /// <summary>Starts <paramref name="image"/> with <c>/bin/sh -c <paramref name="script"/></c>.</summary>
    private async Task<ServiceContainer> StartAsync(string name, string image, int port, int[] extraPorts,
        string script, Dictionary<string, string> env)
    {
        var builder = new ContainerBuilder($"bittorrent/{image}:{Image}")
            .WithName($"{_prefix}-{name}")
            .WithLabel(OwnerLabel, OwnerPid)
            .WithNetwork(Network)
            .WithNetworkAliases(name)
            // Logging and listen addresses stay the images' defaults: they are part of what is tested.
            .WithEnvironment(new Dictionary<string, string>
            {
                ["Discovery__Enabled"] = "true",
                ["Discovery__Ttl"] = "1",
            }.With(env))
            .WithTmpfsMount("/tmp")
            .WithPortBinding(port, assignRandomHostPort: true)
            .WithCreateParameterModifier(p =>
            {
                var host = p.HostConfig ??= new HostConfig();
                host.ReadonlyRootfs = true;
                host.CapDrop = ["ALL"];
                host.SecurityOpt = ["no-new-privileges"];
                // Published ports on loopback only: nothing of the test is reachable from outside the machine.
                foreach (var bindings in host.PortBindings?.Values ?? [])
                {
                    foreach (var binding in bindings) binding.HostIP = "127.0.0.1";
                }
            });
        builder = builder.WithEntrypoint("/bin/sh", "-c").WithCommand(script);
        foreach (var extra in extraPorts) builder = builder.WithPortBinding(extra, assignRandomHostPort: true);

        var container = new ServiceContainer(name, builder.Build(), port);
        _containers.Add(container); // before starting: disposed even if the start fails
        await container.Container.StartAsync();
        await container.WaitReadyAsync(StartTimeout);
        return container;
    }

    /// <summary>Keeps every container's log, removes the containers, then the network (see <see cref="Teardown"/>).</summary>
    public async ValueTask DisposeAsync() =>
        await Teardown.RunAsync(_logDirectory, _containers.Select(c => (c.Name, c.Container)),
            [($"network {Network.Name}", async () =>
            {
                await Network.DeleteAsync();
                await Network.DisposeAsync();
            })]);
}

/// <summary>One service container and how to reach it from the host (its published port on 127.0.0.1).</summary>
public sealed class ServiceContainer(string name, IContainer container, int port)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public string Name { get; } = name;

    public IContainer Container { get; } = container;

    /// <summary>Base URL from the host, e.g. http://127.0.0.1:49153.</summary>
    public Uri Url => new($"http://127.0.0.1:{Container.GetMappedPublicPort(port)}");

    /// <summary>Base URL from other containers on the network, by its network alias.</summary>
    public string NetworkUrl => $"http://{Name}:{port}";

    public Uri Endpoint(string pathAndQuery) => new(Url, pathAndQuery);

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (Container.State is not TestcontainersStates.Running)
            {
                var (stdout, stderr) = await Container.GetLogsAsync();
                throw new InvalidOperationException($"{Name} is {Container.State}; its log:\n{stdout}{stderr}");
            }
            try
            {
                using var response = await Http.GetAsync(Endpoint("/readyz"));
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(250);
        }
        var logs = await Container.GetLogsAsync();
        throw new TimeoutException($"{Name} not ready within {timeout} (last: {last}); its log:\n{logs.Stdout}{logs.Stderr}");
    }

    public async Task<JsonElement> GetJsonAsync(string pathAndQuery)
    {
        using var response = await Http.GetAsync(Endpoint(pathAndQuery));
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => Http.SendAsync(request);

    public Task<byte[]> GetBytesAsync(string pathAndQuery) => Http.GetByteArrayAsync(Endpoint(pathAndQuery));

    /// <summary>The ring members' URLs as this service's /api/tracker/ring reports them.</summary>
    public async Task<IReadOnlyList<string>> RingMembersAsync()
    {
        var ring = await GetJsonAsync("/api/tracker/ring");
        return [.. ring.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("url").GetString()!)];
    }
}

internal static class DictionaryExtensions
{
    /// <summary>This dictionary with <paramref name="more"/>'s entries added (they win).</summary>
    public static Dictionary<string, string> With(this Dictionary<string, string> first, IReadOnlyDictionary<string, string>? more)
    {
        foreach (var (key, value) in more ?? new Dictionary<string, string>()) first[key] = value;
        return first;
    }
}
