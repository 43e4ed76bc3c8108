using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BitTorrent.IntegrationTests.Infrastructure;

namespace BitTorrent.Bench;

/// <summary>
/// Announces through the gateway to an 8-node ring, against webtorrent's bittorrent-tracker (one
/// Node process, no replication), both loaded by wrk from a second process on loopback.
/// </summary>
public static partial class AnnounceBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private const int Nodes = 8;
    private const string Duration = "15s";

    private sealed record Load(string Target, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors);

    public static async Task RunAsync(BenchmarkReport report)
    {
        var root = ServiceProcess.RepositoryRoot();
        var script = Path.Combine(root, "bench", "wrk", "announce.lua");
        var quiet = new Dictionary<string, string> { ["Discovery__Enabled"] = "false", ["Logging__LogLevel__Default"] = "Warning" };
        var nodes = new List<ServiceProcess>();
        ServiceProcess? gateway = null;
        Load ours;
        // Persistence on, as make run and the chart run the ring: each node keeps its store in a data directory.
        using var data = new TempFolder();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            for (var i = 0; i < Nodes; i++)
            {
                // The gateway (on loopback) is the nodes' trusted proxy, as in make run: its client's address counts and its
                // requests are not rate-limited again by the nodes.
                var environment = new Dictionary<string, string>(quiet) { ["Chord__JoinWait"] = "00:00:00.500", ["Tracker__TrustedProxies__0"] = "127.0.0.1", ["Chord__DataPath"] = data.Sub($"chord-{i}") };
                if (nodes.Count > 0) environment["Chord__Seeds__0"] = nodes[0].Url;
                var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [], environment);
                nodes.Add(node);
                await WaitAsync(http, node.Url + "/readyz");
            }
            var gatewayEnvironment = new Dictionary<string, string>(quiet);
            for (var i = 0; i < nodes.Count; i++) gatewayEnvironment[$"Gateway__Seeds__{i}"] = nodes[i].Url;
            gateway = ServiceProcess.Start("gateway", ServiceProcess.FreePort(), [], gatewayEnvironment);
            await WaitAsync(http, gateway.Url + "/readyz", body => Regex.Matches(body, "http://").Count >= Nodes);

            await WrkAsync(gateway.Url, script, "5s"); // warm up: JIT, connection pools, owner caches
            ours = await WrkAsync(gateway.Url, script, Duration) with { Target = $"gateway → {Nodes}-node ring (replication 3)" };

        }
        finally
        {
            if (gateway is not null) await gateway.DisposeAsync();
            foreach (var node in nodes) await node.DisposeAsync();
        }

        // The reference runs alone: our processes are stopped first.
        Load? reference = null;
        var node20 = Path.Combine(root, "bench", "node", "tracker.mjs");
        if (File.Exists(Path.Combine(root, "bench", "node", "node_modules", "bittorrent-tracker", "package.json")))
        {
            var port = ServiceProcess.FreePort();
            await using var tracker = ExternalProgram.Start("node", [node20, port.ToString(C)], Path.Combine(root, "bench", "node"));
            if (await ListeningAsync(port, TimeSpan.FromSeconds(30)))
            {
                await WrkAsync($"http://127.0.0.1:{port}", script, "5s");
                reference = await WrkAsync($"http://127.0.0.1:{port}", script, Duration) with { Target = "webtorrent bittorrent-tracker 11.2.3 (one process)" };
            }
            else
            {
                Console.WriteLine("bittorrent-tracker did not start:\n" + tracker.Output);
            }
        }

        var body = new StringBuilder();
        body.AppendLine("## Announces through the gateway, 8-node ring").AppendLine();
        body.AppendLine(C, $"Command: `make bench` (this part alone: `scripts/bench.sh announce`). Load: `wrk -t2 -c64 -d{Duration} --latency -s bench/wrk/announce.lua` (announces over 1,000 torrents and 100,000 peers, half seeders, compact, numwant 50), after a 5 s warm-up, from a second process on loopback. Ours: gateway → {Nodes} chord-node processes with persistence on (`Chord:DataPath`; swarm entries stay in memory, so announces never wait for the disk); the gateway sends each announce to the node that owns the swarm, which answers once it has applied it and replicates it to 2 more nodes write-behind (batched every `Chord:WriteBehindDelay`, 20 ms).").AppendLine();
        body.AppendLine("| target | announces/s | p50 | p99 | errors |").AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var load in new[] { ours, reference }.OfType<Load>())
            body.AppendLine(C, $"| {load.Target} | **{load.RequestsPerSecond:F0}** | {load.P50Ms:F1} ms | {load.P99Ms:F1} ms | {load.Errors} |");
        body.AppendLine().AppendLine("Targets: ≥ 5,000/s, p99 < 20 ms, and ahead of bittorrent-tracker in the same run.");
        report.WriteSection("announce", body.ToString());
    }

    private static async Task<Load> WrkAsync(string url, string script, string duration)
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
