using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BitTorrent.ChordNode.Storage;
using BitTorrent.IntegrationTests.Infrastructure;

namespace BitTorrent.Bench;

/// <summary>
/// A whole durable ring stopped and started again (ARCHITECTURE §7: every durable key readable ≤ 10 s after
/// the last node is up). Eight chord-node processes, each with its data directory (Chord:DataPath), default
/// timings; 2,000 registers of 1 KiB, 200 sets of 5 members and a counter written; every node stopped with
/// SIGTERM; then all started again at once on their ports, seeded with each other (as make run does). From
/// the moment the last node answers /readyz, passes that read every key through the nodes (spread over them)
/// run back to back until one finds every key with its value.
/// </summary>
public static class RestartBenchmark
{
    private const int Nodes = 8;
    private const int Registers = 2000;
    private const int Sets = 200;
    private const int Runs = 3;
    private const string Secret = "bench-ring-secret";
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Run(double AllReadySeconds, double FirstCleanPassSeconds, double LastFailureSeconds, int Passes, int Failures, long StoreBytes, double WritesPerSecond);

    public static async Task RunAsync(BenchmarkReport report)
    {
        var runs = new List<Run>();
        for (var i = 0; i < Runs; i++)
        {
            var run = await RunOnceAsync();
            Console.WriteLine(string.Create(C, $"restart run {i + 1}: {run}"));
            runs.Add(run);
        }

        var body = new StringBuilder();
        body.AppendLine("## A whole durable ring stopped and started").AppendLine();
        body.AppendLine(C, $"Command: `make bench` (this part alone: `scripts/bench.sh restart`). {Nodes} chord-node processes on loopback, each with its own data directory (`Chord:DataPath`, SQLite in WAL mode), default timings (stabilize 500 ms, RPC timeout 1.5 s, replication 3); {Registers:N0} registers of 1 KiB, {Sets} sets of 5 members and a counter written through the ring (each write answered once it is on its primary's disk and at its replicas; the register write rate is in the last column); every node stopped (SIGTERM); then all {Nodes} started again at once on their ports, seeded with each other. Up: the moment the last node answers `/readyz` (counted from the start of the processes). Readable: the end of the first pass that reads every key through the nodes (spread over them, 16 at a time) and finds each with its value; passes run back to back from the moment the last node is up.").AppendLine();
        body.AppendLine("| run | last node up after start | every durable key readable after the last node up | failed reads before | passes | store on disk (all nodes) | 1 KiB registers written, 8 in flight |")
            .AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            body.AppendLine(C, $"| {i + 1} | {r.AllReadySeconds:F2} s | **{r.FirstCleanPassSeconds:F2} s** | {r.Failures} | {r.Passes} | {r.StoreBytes / 1048576.0:F1} MiB | {r.WritesPerSecond:F0}/s |");
        }
        var worst = runs.Max(r => r.FirstCleanPassSeconds);
        body.AppendLine().AppendLine(C, $"Every durable key readable within **{worst:F2} s** of the last node up in the worst of {Runs} runs (target: ≤ 10 s).");
        report.WriteSection("restart", body.ToString());
    }

    private static async Task<Run> RunOnceAsync()
    {
        using var data = new TempFolder();
        // Eight distinct ports (a port just released may be offered again), kept for the restart.
        var ports = new List<int>();
        while (ports.Count < Nodes)
        {
            var port = ServiceProcess.FreePort();
            if (!ports.Contains(port)) ports.Add(port);
        }
        var urls = ports.Select(p => $"http://127.0.0.1:{p}").ToList();
        var nodes = new List<ServiceProcess>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Ring-Secret", Secret);
        ServiceProcess Start(int i, IEnumerable<string> seeds)
        {
            var environment = new Dictionary<string, string>
            {
                ["Chord__Secret"] = Secret,
                ["Chord__JoinWait"] = "00:00:00.500",
                ["Chord__DataPath"] = Path.Combine(data.Path, $"chord-{ports[i]}"),
                ["Discovery__Enabled"] = "false",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            var s = 0;
            foreach (var seed in seeds) environment[$"Chord__Seeds__{s++}"] = seed;
            return ServiceProcess.Start("chord-node", ports[i], [], environment);
        }
        try
        {
            for (var i = 0; i < Nodes; i++)
            {
                var node = Start(i, urls.Take(Math.Min(i, 3)));
                nodes.Add(node);
                await TransferBenchmark.WaitAsync(() => ReadyAsync(http, node), $"{node.Url} ready", TimeSpan.FromSeconds(60));
            }
            await Task.Delay(3000); // a few stabilize rounds: every node has its place before the writes

            var writing = Stopwatch.StartNew();
            await Parallel.ForAsync(0, Registers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
                await ExecuteAsync(http, urls[i % Nodes], new DhtOperation($"torrent/{i}", DhtOperationKind.Put, Value: Value(i)), ct));
            var writesPerSecond = Registers / writing.Elapsed.TotalSeconds;
            await Parallel.ForAsync(0, Sets, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
                await ExecuteAsync(http, urls[i % Nodes], new DhtOperation($"catalog/{i}", DhtOperationKind.UpdateSet,
                    Updates: [.. Enumerable.Range(0, 5).Select(m => SetUpdate.Add($"m{m}", $"{{\"i\":{i}}}"))]), ct));
            long counter = 0;
            for (var i = 0; i < 20; i++)
                counter = (await ExecuteAsync(http, urls[i % Nodes], new DhtOperation("counter/peer-id", DhtOperationKind.Increment), default)).Count;

            // Every node stopped, then all started at once.
            foreach (var node in nodes) await StopAsync(node);
            var storeBytes = Directory.EnumerateFiles(data.Path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            var clock = Stopwatch.StartNew();
            nodes = [.. Enumerable.Range(0, Nodes).Select(i => Start(i, urls.Where((_, k) => k != i)))];
            await Task.WhenAll(nodes.Select(node => TransferBenchmark.WaitAsync(() => ReadyAsync(http, node), $"{node.Url} ready again", TimeSpan.FromSeconds(60))));
            var allReady = clock.Elapsed.TotalSeconds;

            var failures = 0;
            var lastFailure = 0.0;
            for (var passes = 1; ; passes++)
            {
                var failed = await FailedReadsAsync(http, urls, counter);
                if (failed == 0)
                    return new Run(allReady, clock.Elapsed.TotalSeconds - allReady, lastFailure, passes, failures, storeBytes, writesPerSecond);
                failures += failed;
                lastFailure = clock.Elapsed.TotalSeconds - allReady;
                Console.WriteLine(string.Create(C, $"  pass {passes}: {failed} failed, ended {lastFailure:F2} s after the last node up"));
                if (clock.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException($"keys still unreadable 120 s after the restart ({failed} in the last pass)");
            }
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    private static byte[] Value(int i)
    {
        var value = new byte[1024];
        BitConverter.TryWriteBytes(value.AsSpan(0, 4), i);
        value[^1] = (byte)i;
        return value;
    }

    /// <summary>Reads every key through the nodes; the number missing, wrong or failed.</summary>
    private static async Task<int> FailedReadsAsync(HttpClient http, IReadOnlyList<string> urls, long counter)
    {
        var failed = 0;
        await Parallel.ForAsync(0, Registers + Sets, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var via = urls[i % urls.Count];
            try
            {
                bool ok;
                if (i < Registers)
                {
                    var result = await ExecuteAsync(http, via, new DhtOperation($"torrent/{i}", DhtOperationKind.Get), ct);
                    ok = result.Value is { } v && v.AsSpan().SequenceEqual(Value(i));
                }
                else
                {
                    var result = await ExecuteAsync(http, via, new DhtOperation($"catalog/{i - Registers}", DhtOperationKind.GetSet), ct);
                    ok = result.Members?.Count == 5;
                }
                if (!ok && Interlocked.Increment(ref failed) <= 3) Console.WriteLine($"  read of key {i} through {via}: wrong or missing");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (Interlocked.Increment(ref failed) <= 3) Console.WriteLine($"  read of key {i} through {via}: {e.Message}");
            }
        });
        // The counter: the next id continues after the last one handed out.
        try
        {
            var next = await ExecuteAsync(http, urls[0], new DhtOperation("counter/peer-id", DhtOperationKind.Increment), default);
            if (next.Count <= counter) throw new InvalidOperationException($"the counter handed out {next.Count} again after {counter}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"  increment through {urls[0]}: {e.Message}");
            failed++;
        }
        return failed;
    }

    private static async Task StopAsync(ServiceProcess node)
    {
        using (var kill = Process.Start("kill", ["-TERM", node.Pid.ToString(C)])) await kill.WaitForExitAsync();
        if (!await node.WaitForExitAsync(TimeSpan.FromSeconds(20))) node.Kill();
    }

    private static async Task<DhtResult> ExecuteAsync(HttpClient http, string via, DhtOperation operation, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync($"{via}/dht/execute", operation, Json, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<DhtResult>(Json, ct))!;
    }

    private static async Task<bool> ReadyAsync(HttpClient http, ServiceProcess node)
    {
        if (node.HasExited) throw new InvalidOperationException($"{node.Name} exited:\n{node.Log}");
        try
        {
            using var response = await http.GetAsync($"{node.Url}/readyz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
