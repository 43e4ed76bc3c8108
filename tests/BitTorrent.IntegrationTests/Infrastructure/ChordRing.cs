using System.Net.Http.Json;
using System.Text.Json;
using BitTorrent.ChordNode.Api;
using BitTorrent.ChordNode.Storage;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Infrastructure;

/// <summary>
/// A ring of real chord-node processes on 127.0.0.1, stopped when disposed. Given a data root, each node
/// keeps its store in <c>{root}/chord-{port}</c>, so a node started again on its port finds its data.
/// </summary>
public sealed class ChordRing : IAsyncDisposable
{
    public const string Secret = ServiceProcess.DefaultRingSecret;
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<ServiceProcess> _nodes = [];
    private readonly ITestOutputHelper? _output;
    private readonly Dictionary<string, string> _environment;

    public ChordRing(ITestOutputHelper? output = null, IDictionary<string, string>? environment = null, string? dataRoot = null)
    {
        _output = output;
        DataRoot = dataRoot;
        _environment = new Dictionary<string, string>
        {
            ["Chord__Secret"] = Secret,
            ["Chord__StabilizeInterval"] = "00:00:00.250",
            ["Chord__SyncInterval"] = "00:00:00.500",
            ["Chord__RpcTimeout"] = "00:00:01",
            ["Chord__JoinWait"] = "00:00:01.500",
            ["Discovery__Enabled"] = "false",
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) _environment[k] = v;
        Http.DefaultRequestHeaders.Add("X-Ring-Secret", Secret);
    }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Where nodes keep their stores; null for stores in memory.</summary>
    public string? DataRoot { get; }

    /// <summary>The data directory of the node on <paramref name="port"/>.</summary>
    public string DataPath(int port) => Path.Combine(DataRoot ?? throw new InvalidOperationException("This ring keeps its stores in memory."), $"chord-{port}");

    public static int PortOf(ServiceProcess node) => new Uri(node.Url).Port;
    public IReadOnlyList<ServiceProcess> Nodes => _nodes;
    public IEnumerable<ServiceProcess> Live => _nodes.Where(n => !n.HasExited);

    /// <summary>Starts a node (on <paramref name="port"/>, or a free one); without seeds it uses the first live nodes as seeds.</summary>
    public ServiceProcess StartNode(IDictionary<string, string>? extra = null, IEnumerable<string>? seeds = null, int? port = null)
    {
        port ??= ServiceProcess.FreePort();
        var environment = new Dictionary<string, string>(_environment);
        var seedList = (seeds ?? _nodes.Where(n => !n.HasExited).Take(3).Select(n => n.Url)).ToList();
        for (var i = 0; i < seedList.Count; i++) environment[$"Chord__Seeds__{i}"] = seedList[i];
        if (DataRoot is not null) environment["Chord__DataPath"] = DataPath(port.Value);
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) environment[k] = v;
        var node = ServiceProcess.Start("chord-node", port.Value, [], environment);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Starts n nodes one after another, each seeded with the ones before it.</summary>
    public async Task StartAsync(int n)
    {
        for (var i = 0; i < n; i++)
        {
            var node = StartNode();
            await WaitReadyAsync(node);
        }
    }

    /// <summary>Starts a stopped node again on its port (and so with its data), seeded with the live nodes, and waits until it is ready.</summary>
    public async Task<ServiceProcess> RestartAsync(ServiceProcess stopped)
    {
        if (!stopped.HasExited) throw new InvalidOperationException($"{stopped.Name} is still running.");
        var node = StartNode(port: PortOf(stopped));
        await WaitReadyAsync(node);
        return node;
    }

    /// <summary>Stops a node as an operator would (SIGTERM: it shuts down cleanly) and waits for it to exit.</summary>
    public static async Task StopAsync(ServiceProcess node)
    {
        if (node.HasExited) return;
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", node.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        if (!await node.WaitForExitAsync(TimeSpan.FromSeconds(20))) node.Kill();
    }

    public async Task WaitReadyAsync(ServiceProcess node, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(async () =>
        {
            if (node.HasExited) throw new InvalidOperationException($"{node.Name} exited:\n{node.Log}");
            try
            {
                using var response = await Http.GetAsync($"{node.Url}/readyz");
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout ?? TimeSpan.FromSeconds(30), $"{node.Name} never became ready");
    }

    public async Task<RingView> RingAsync(ServiceProcess via) =>
        (await Http.GetFromJsonAsync<RingView>($"{via.Url}/api/tracker/ring", Json))!;

    /// <summary>Waits until the ring seen from every live node is exactly the live nodes, each with the right successor.</summary>
    public async Task WaitConvergedAsync(TimeSpan? timeout = null)
    {
        var last = "";
        try
        {
            await Eventually.TrueAsync(Converged, timeout ?? TimeSpan.FromSeconds(30), "the ring did not converge");
        }
        catch (TimeoutException)
        {
            _output?.WriteLine($"last ring view: {last}");
            throw;
        }

        async Task<bool> Converged()
        {
            var live = Live.Select(n => n.Url).Order(StringComparer.Ordinal).ToList();
            foreach (var node in Live)
            {
                RingView view;
                try { view = await RingAsync(node); }
                catch (HttpRequestException e) { last = $"{node.Url}: {e.Message}"; return false; }
                last = $"from {node.Url}: " + string.Join(" | ", view.Members.Select(m => $"{m.Url} pred {m.Predecessor} succ {string.Join(",", m.Successors)}"));
                if (!view.Members.Select(m => m.Url).Order(StringComparer.Ordinal).SequenceEqual(live)) return false;
                // Sorted by id, each member's successor is the next one, and its predecessor the previous one.
                for (var i = 0; i < view.Members.Count; i++)
                {
                    var next = view.Members[(i + 1) % view.Members.Count];
                    var previous = view.Members[(i + view.Members.Count - 1) % view.Members.Count];
                    if (view.Members.Count > 1 && (view.Members[i].Successors.FirstOrDefault() != next.Url || view.Members[i].Predecessor != previous.Url)) return false;
                }
            }
            return true;
        }
    }

    public async Task<DhtResult> ExecuteAsync(ServiceProcess via, DhtOperation operation)
    {
        using var response = await Http.PostAsJsonAsync($"{via.Url}/dht/execute", operation, Json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<DhtResult>(Json))!;
    }

    public async Task<HashSet<string>> KeysAsync(ServiceProcess node) =>
        [.. (await Http.GetFromJsonAsync<string[]>($"{node.Url}/dht/keys", Json))!];

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (_output is not null && node.Log.Contains("fail:", StringComparison.Ordinal))
                _output.WriteLine($"--- {node.Name}\n{node.Log}");
            await node.DisposeAsync();
        }
        Http.Dispose();
    }
}

public static class Eventually
{
    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure) =>
        TrueAsync(condition, timeout, () => failure);

    /// <summary>As above, with a failure message made when the time is up (so it can say what was seen last).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{failure()} within {timeout.TotalSeconds:F0} s");
            await Task.Delay(200);
        }
    }
}
