using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BitTorrent.IntegrationTests.Infrastructure;

namespace BitTorrent.Bench;

/// <summary>
/// Announces through the gateway to an 8-node ring, against webtorrent's bittorrent-tracker (one
/// Node process, no replication): at a fixed offered rate (<see cref="PacedLoad"/>: p50, p99, errors), then
/// at the most each takes (wrk from a second process on loopback). While ours runs at the fixed rate, its
/// own metrics say where the time went: the latency the gateway and the owners measured themselves, and how
/// long each process was paused for garbage collection.
/// </summary>
public static partial class AnnounceBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private const int Nodes = 8;
    private const string Duration = "15s";
    private static readonly TimeSpan PacedDuration = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The rest between the warm-up and the paced run, for ours and the reference alike. The warm-up runs at the most, so it
    /// leaves a backlog (queued write-behind, collections due, methods waiting for their optimised compile); without a rest the
    /// paced run's first seconds measure the recovery from that overload rather than announces at the offered rate.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    internal sealed record Load(string Target, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors);

    private sealed record Paced(string Target, PacedLoad.Result Result, string LoadAverage);

    /// <summary>The offered rate of the fixed-rate runs (BENCH_ANNOUNCE_RATE, default 3,000 per second).</summary>
    private static double Rate => double.TryParse(Environment.GetEnvironmentVariable("BENCH_ANNOUNCE_RATE"), NumberStyles.Float, C, out var r) ? r : 3000;

    public static async Task RunAsync(BenchmarkReport report)
    {
        var root = ServiceProcess.RepositoryRoot();
        var script = Path.Combine(root, "bench", "wrk", "announce.lua");
        var nodes = new List<ServiceProcess>();
        ServiceProcess? gateway = null;
        Load ours;
        Paced oursPaced;
        string evidence;
        // Persistence on, as make run and the chart run the ring: each node keeps its store in a data directory.
        using var data = new TempFolder();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            gateway = await StartRingAsync(http, data, nodes);

            await WrkAsync(gateway.Url, script, "5s"); // warm up: JIT, connection pools, owner caches
            var processes = nodes.Append(gateway).ToList();
            var before = await ScrapeAllAsync(http, processes); // before the rest: a scrape makes every process collect its metrics
            await Task.Delay(Settle);
            var gatewayCpu = CpuSeconds(gateway.Pid);
            var nodesCpu = nodes.Sum(n => CpuSeconds(n.Pid));
            var paced = await PacedLoad.RunAsync(gateway.Url, Rate, PacedDuration);
            gatewayCpu = CpuSeconds(gateway.Pid) - gatewayCpu;
            nodesCpu = nodes.Sum(n => CpuSeconds(n.Pid)) - nodesCpu;
            var after = await ScrapeAllAsync(http, processes);
            oursPaced = new Paced($"gateway → {Nodes}-node ring (replication 3)", paced, LoadAverage());
            evidence = Evidence(before, after, gateway.Url) +
                $" CPU per announce: gateway {gatewayCpu / paced.Requests * 1e6:F0} µs, the nodes together {nodesCpu / paced.Requests * 1e6:F0} µs (the load generator {paced.CpuSeconds / paced.Requests * 1e6:F0} µs)." +
                $" p99 by second of the run (ms): {PacedLoad.Describe(paced.P99BySecondMs)}.";
            ours = await WrkAsync(gateway.Url, script, Duration) with { Target = $"gateway → {Nodes}-node ring (replication 3)" };

        }
        finally
        {
            if (gateway is not null) await gateway.DisposeAsync();
            foreach (var node in nodes) await node.DisposeAsync();
        }

        // The reference runs alone: our processes are stopped first.
        Load? reference = null;
        Paced? referencePaced = null;
        var node20 = Path.Combine(root, "bench", "node", "tracker.mjs");
        if (File.Exists(Path.Combine(root, "bench", "node", "node_modules", "bittorrent-tracker", "package.json")))
        {
            var port = ServiceProcess.FreePort();
            await using var tracker = ExternalProgram.Start("node", [node20, port.ToString(C)], Path.Combine(root, "bench", "node"));
            if (await ListeningAsync(port, TimeSpan.FromSeconds(30)))
            {
                await WrkAsync($"http://127.0.0.1:{port}", script, "5s");
                await Task.Delay(Settle);
                var cpu = CpuSeconds(tracker.Pid);
                var result = await PacedLoad.RunAsync($"http://127.0.0.1:{port}", Rate, PacedDuration);
                cpu = CpuSeconds(tracker.Pid) - cpu;
                referencePaced = new Paced("webtorrent bittorrent-tracker 11.2.3 (one process)", result, LoadAverage());
                evidence += $" bittorrent-tracker: {cpu / result.Requests * 1e6:F0} µs CPU per announce (the load generator {result.CpuSeconds / result.Requests * 1e6:F0} µs), p99 by second (ms): {PacedLoad.Describe(result.P99BySecondMs)}.";
                reference = await WrkAsync($"http://127.0.0.1:{port}", script, Duration) with { Target = "webtorrent bittorrent-tracker 11.2.3 (one process)" };
            }
            else
            {
                Console.WriteLine("bittorrent-tracker did not start:\n" + tracker.Output);
            }
        }

        var body = new StringBuilder();
        body.AppendLine("## Announces through the gateway, 8-node ring").AppendLine();
        body.AppendLine(C, $"At a fixed offered rate of {Rate:N0} announces/s for {PacedDuration.TotalSeconds:F0} s (open loop, `bench/BitTorrent.Bench/PacedLoad.cs`: each request's latency counts from when it was due, so a stall is charged to every request behind it; 64 keep-alive connections driven by one thread with `poll`, about as cheap as wrk; the same announces as below), after the warm-up and {Settle.TotalSeconds:F0} s of rest, persistence on:").AppendLine();
        body.AppendLine("| target | offered/s | achieved/s | p50 | p90 | p99 | max | errors | load average (1 min) |").AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var paced in new[] { oursPaced, referencePaced }.OfType<Paced>())
        {
            var r = paced.Result;
            body.AppendLine(C, $"| {paced.Target} | {r.Offered:F0} | {r.Achieved:F0} | {r.P50Ms:F1} ms | {r.P90Ms:F1} ms | **{r.P99Ms:F1} ms** | {r.MaxMs:F0} ms | {r.Errors} of {r.Requests} | {paced.LoadAverage} |");
        }
        body.AppendLine().AppendLine(C, $"Where ours spent the time during that run, by its own metrics: {evidence}").AppendLine();
        body.AppendLine("At the most each takes (closed loop):").AppendLine();
        body.AppendLine(C, $"Command: `make bench` (this part alone: `scripts/bench.sh announce`). Load: `wrk -t2 -c64 -d{Duration} --latency -s bench/wrk/announce.lua` (announces over 1,000 torrents and 100,000 peers, half seeders, compact, numwant 50), after a 5 s warm-up, from a second process on loopback. Ours: gateway → {Nodes} chord-node processes with persistence on (`Chord:DataPath`; swarm entries stay in memory, so announces never wait for the disk); the gateway sends each announce to the node that owns the swarm (those that queue while two requests to it are out travel together in one `POST /tracker/batch`), which answers once it has applied it and replicates it to 2 more nodes write-behind (batched every `Chord:WriteBehindDelay`, 50 ms).").AppendLine();
        body.AppendLine("| target | announces/s | p50 | p99 | errors |").AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var load in new[] { ours, reference }.OfType<Load>())
            body.AppendLine(C, $"| {load.Target} | **{load.RequestsPerSecond:F0}** | {load.P50Ms:F1} ms | {load.P99Ms:F1} ms | {load.Errors} |");
        if (reference is not null)
            body.AppendLine().AppendLine(C, $"Throughput ratio in this run: **{ours.RequestsPerSecond / reference.RequestsPerSecond:F2}×** bittorrent-tracker's.");
        body.AppendLine().AppendLine(C, $"Targets: p99 < 20 ms at {Rate:N0}/s offered, and at the most at least 1.3× bittorrent-tracker's in the same run, persistence on. A run on a machine whose load average is well above its 2 cores says little about either.");
        report.WriteSection("announce", body.ToString());
    }

    /// <summary>
    /// Starts the 8 chord nodes (persistence on, under <paramref name="data"/>) and the gateway in front of them, as
    /// make run does, and waits until the gateway knows every node. The nodes are added to <paramref name="nodes"/> as
    /// they start, so the caller stops them whatever happens.
    /// </summary>
    internal static async Task<ServiceProcess> StartRingAsync(HttpClient http, TempFolder data, List<ServiceProcess> nodes)
    {
        var quiet = new Dictionary<string, string> { ["Discovery__Enabled"] = "false", ["Logging__LogLevel__Default"] = "Warning" };
        for (var i = 0; i < Nodes; i++)
        {
            // The gateway (on loopback) is the nodes' trusted proxy, as in make run: its client's address counts and its
            // requests are not rate-limited again by the nodes.
            var environment = new Dictionary<string, string>(quiet) { ["Chord__JoinWait"] = "00:00:00.500", ["Tracker__TrustedProxies__0"] = "127.0.0.1", ["Chord__DataPath"] = data.Sub($"chord-{i}") };
            if (nodes.Count > 0) environment["Chord__Seeds__0"] = nodes[0].Url;
            foreach (var (key, value) in Passed("BENCH_NODE_")) environment[key] = value;
            var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [], environment);
            nodes.Add(node);
            await WaitAsync(http, node.Url + "/readyz");
        }
        var gatewayEnvironment = new Dictionary<string, string>(quiet);
        for (var i = 0; i < nodes.Count; i++) gatewayEnvironment[$"Gateway__Seeds__{i}"] = nodes[i].Url;
        foreach (var (key, value) in Passed("BENCH_GATEWAY_")) gatewayEnvironment[key] = value;
        var gateway = ServiceProcess.Start("gateway", ServiceProcess.FreePort(), [], gatewayEnvironment);
        try
        {
            await WaitAsync(http, gateway.Url + "/readyz", body => Regex.Matches(body, "http://").Count >= Nodes);
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
        return gateway;
    }

    /// <summary>
    /// Environment variables named <paramref name="prefix"/>NAME, as NAME: how a comparison passes settings to the bench's
    /// chord nodes (BENCH_NODE_…, also the swarm part's tracker), its gateway (BENCH_GATEWAY_…) or the swarm part's peers (BENCH_PEER_…), e.g. BENCH_NODE_DOTNET_GCgen0size=0x400000.
    /// </summary>
    internal static IEnumerable<(string Key, string Value)> Passed(string prefix) =>
        Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.Length > prefix.Length)
            .Select(k => (k[prefix.Length..], Environment.GetEnvironmentVariable(k) ?? ""));

    /// <summary>CPU time a process has used so far (user and system, from /proc), in seconds.</summary>
    internal static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], C) + long.Parse(fields[12], C)) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
        }
        catch (IOException)
        {
            return 0;
        }
    }

    internal static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    internal static async Task<List<(string Url, PrometheusText Metrics)>> ScrapeAllAsync(HttpClient http, IEnumerable<ServiceProcess> processes)
    {
        var scrapes = new List<(string, PrometheusText)>();
        foreach (var process in processes)
        {
            using var response = await http.GetAsync(process.Url + "/metrics");
            scrapes.Add((process.Url, PrometheusText.Parse(response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "")));
        }
        return scrapes;
    }

    /// <summary>
    /// What the services measured themselves between two scrapes: the p50 and p99 of /announce as the gateway and
    /// the owners served it (from their http.server.request.duration buckets: an upper bound), and the time each
    /// process spent paused for garbage collection and the collections it made.
    /// </summary>
    private static string Evidence(List<(string Url, PrometheusText Metrics)> before, List<(string Url, PrometheusText Metrics)> after, string gatewayUrl)
    {
        string Quantiles(Func<string, bool> which, string route = "/announce", string what = "announces")
        {
            var counts = new SortedDictionary<double, double>();
            for (var i = 0; i < after.Count; i++)
            {
                if (!which(after[i].Url)) continue;
                foreach (var sample in after[i].Metrics.Samples.Where(s => s.Name == "http_server_request_duration_seconds_bucket" && s.Labels.GetValueOrDefault("http_route") == route))
                {
                    var le = sample.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(sample.Labels["le"], C);
                    var earlier = before[i].Metrics.Samples.FirstOrDefault(s => s.Name == sample.Name && s.Labels.Count == sample.Labels.Count && s.Labels.All(l => sample.Labels.GetValueOrDefault(l.Key) == l.Value))?.Value ?? 0;
                    counts[le] = counts.GetValueOrDefault(le) + sample.Value - earlier;
                }
            }
            if (counts.Count == 0 || counts.Last().Value <= 0) return $"no {what} measured";
            var total = counts.Last().Value;
            string Bound(double q) => counts.First(c => c.Value >= q * total).Key is var le && double.IsInfinity(le) ? "> 10 s" : $"≤ {le * 1000:F0} ms";
            return $"p50 {Bound(0.5)}, p99 {Bound(0.99)} over {total:F0} {what}";
        }
        string Gc(Func<string, bool> which)
        {
            double paused = 0, collections = 0;
            for (var i = 0; i < after.Count; i++)
            {
                if (!which(after[i].Url)) continue;
                paused += after[i].Metrics.Sum("dotnet_gc_pause_time_seconds_total") - before[i].Metrics.Sum("dotnet_gc_pause_time_seconds_total");
                collections += after[i].Metrics.Sum("dotnet_gc_collections_total") - before[i].Metrics.Sum("dotnet_gc_collections_total");
            }
            return $"{collections:F0} collections pausing {paused * 1000:F0} ms";
        }
        string Batches()
        {
            var gateway = after.FindIndex(p => IsGateway(p.Url));
            double Delta(string name) => after[gateway].Metrics.Sum(name) - before[gateway].Metrics.Sum(name);
            var batches = Delta("bittorrent_gateway_tracker_batch_size_count");
            return batches <= 0 ? "no batches" : $"the owners took {batches:F0} batches of {Delta("bittorrent_gateway_tracker_batch_size_sum") / batches:F1} announces on average and served them in {Quantiles(u => !IsGateway(u), "/tracker/batch", "batches")}";
        }
        bool IsGateway(string url) => url == gatewayUrl;
        var single = Quantiles(u => !IsGateway(u));
        var owners = single.StartsWith("no ", StringComparison.Ordinal) ? "" : $"the owners single GETs in {single}, ";
        return $"the gateway served /announce in {Quantiles(IsGateway)}; {owners}{Batches()}; " +
            $"garbage collection: gateway {Gc(IsGateway)}, the {after.Count - 1} nodes together {Gc(u => !IsGateway(u))} (over {PacedDuration.TotalSeconds:F0} s).";
    }

    internal static async Task<Load> WrkAsync(string url, string script, string duration)
    {
        var output = await ExternalProgram.RunAsync("wrk", ["-t2", "-c64", $"-d{duration}", "--latency", "-s", script, url], TimeSpan.FromMinutes(2));
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, C);
        var errors = ErrorCount().Matches(output).Sum(m => long.Parse(m.Groups[1].Value, C));
        return new Load(url, rps, Percentile(output, "50%"), Percentile(output, "99%"), errors);
    }

    private static async Task<bool> ListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(200);
            }
        }
        return false;
    }

    private static double Percentile(string output, string which)
    {
        var match = Regex.Match(output, $@"^\s*{Regex.Escape(which)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success) return double.NaN;
        var value = double.Parse(match.Groups[1].Value, C);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    private static async Task WaitAsync(HttpClient http, string url, Func<string, bool>? accept = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url);
                if (response.IsSuccessStatusCode && (accept is null || accept(await response.Content.ReadAsStringAsync()))) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{url} never became ready");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(?:Non-2xx or 3xx responses|Socket errors:.*?(?:timeout|connect|read|write))\D*(\d+)")]
    private static partial Regex ErrorCount();
}
