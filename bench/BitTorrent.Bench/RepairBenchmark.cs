using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BitTorrent.ChordNode.Api;
using BitTorrent.ChordNode.Storage;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Bench;

/// <summary>
/// Ring repair after r − 1 nodes die at once (ARCHITECTURE §7: every key readable, every lookup correct
/// within 3 s). Eight real chord-node processes with the default timings (stabilize every 500 ms, RPC timeout
/// 1.5 s), 1,000 registers and 1,000 swarms written, then two ring neighbours killed at the same moment
/// (with r = 3 the keys they were primary and first replica of keep one copy). From the kill, two probes run
/// side by side until each has one pass with nothing wrong: lookups of 64 random ids from every survivor,
/// compared with the true successor among the survivors; and a read of every key through the survivors.
/// Reported for each: when its last fault was seen (the ring is repaired from then on), and the end of the
/// first pass with no fault (which confirms it).
/// </summary>
public static class RepairBenchmark
{
    private const int Nodes = 8;
    private const int Keys = 1000;
    private const int Runs = 3;
    private const int LookupIds = 64;
    private const string Secret = "bench-ring-secret";
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Probe(double LastFaultSeconds, double CleanPassEndSeconds, int Passes, int Faults);

    private sealed record Run(Probe Lookups, Probe Reads);

    public static async Task RunAsync(BenchmarkReport report)
    {
        var runs = new List<Run>();
        for (var i = 0; i < Runs; i++)
        {
            var run = await RunOnceAsync(seed: i);
            Console.WriteLine(string.Create(C, $"repair run {i + 1}: {run}"));
            runs.Add(run);
        }

        var body = new StringBuilder();
        body.AppendLine("## Ring repair after r − 1 nodes die at once").AppendLine();
        body.AppendLine(C, $"Command: `make bench` (this part alone: `scripts/bench.sh repair`). {Nodes} chord-node processes on loopback with the default timings (stabilize 500 ms, RPC timeout 1.5 s, replication 3); {Keys:N0} registers and {Keys:N0} swarms written; then two ring neighbours killed at the same moment. From the kill, two probes run side by side until each has a pass with nothing wrong: {LookupIds} lookups of random ids from every survivor against the true successor among the survivors, and a read of every key through the survivors (each pass starts when the previous ends). Repaired at: the last wrong lookup or failed read seen (every answer after it was right); confirmed by a later pass with nothing wrong (its end is given too: a read pass of 2,000 requests takes a while on two cores).").AppendLine();
        body.AppendLine("| run | last wrong lookup | last failed read | wrong lookups / failed reads in all | clean pass ended (lookups / reads) |")
            .AppendLine("| ---: | ---: | ---: | ---: | ---: |");
        static string At(Probe p) => p.Faults == 0 ? "none" : string.Create(C, $"{p.LastFaultSeconds:F2} s");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            body.AppendLine(C, $"| {i + 1} | {At(r.Lookups)} | {At(r.Reads)} | {r.Lookups.Faults} / {r.Reads.Faults} | {r.Lookups.CleanPassEndSeconds:F2} s / {r.Reads.CleanPassEndSeconds:F2} s |");
        }
        var worst = runs.Max(r => Math.Max(r.Lookups.LastFaultSeconds, r.Reads.LastFaultSeconds));
        body.AppendLine().AppendLine(C, $"Repaired within **{worst:F2} s** of the kill in the worst of {Runs} runs (target: within 3 s).");
        report.WriteSection("repair", body.ToString());
    }

    private static async Task<Run> RunOnceAsync(int seed)
    {
        var nodes = new List<ServiceProcess>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Ring-Secret", Secret);
        try
        {
            for (var i = 0; i < Nodes; i++)
            {
                var environment = new Dictionary<string, string>
                {
                    ["Chord__Secret"] = Secret,
                    ["Chord__JoinWait"] = "00:00:00.500",
                    ["Discovery__Enabled"] = "false",
                    ["Logging__LogLevel__Default"] = "Warning",
                };
                var seeds = nodes.Take(3).ToList();
                for (var s = 0; s < seeds.Count; s++) environment[$"Chord__Seeds__{s}"] = seeds[s].Url;
                var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [], environment);
                nodes.Add(node);
                await TransferBenchmark.WaitAsync(() => ReadyAsync(http, node), $"{node.Url} ready", TimeSpan.FromSeconds(60));
            }
            var ids = new Dictionary<string, Id160>();
            foreach (var node in nodes) ids[node.Url] = (await InfoAsync(http, node.Url)).Self.Id;
            await TransferBenchmark.WaitAsync(async () =>
            {
                var wrong = 0;
                await WrongLookupsAsync(http, nodes, ids, new Random(seed), () => Interlocked.Increment(ref wrong));
                return wrong == 0;
            }, "the ring converged", TimeSpan.FromSeconds(60));

            await Parallel.ForAsync(0, Keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var via = nodes[i % nodes.Count].Url;
                await ExecuteAsync(http, via, new DhtOperation($"torrent/{i}", DhtOperationKind.Put, Value: Encoding.UTF8.GetBytes($"value {i}")), ct);
                await ExecuteAsync(http, via, new DhtOperation($"swarm/{i}", DhtOperationKind.UpdateSet,
                    Updates: [SetUpdate.Add("peer-a", "{}"), SetUpdate.Add("peer-b", "{}")]), ct);
            });

            // Two neighbours on the ring (by id), killed at the same moment.
            var byId = nodes.OrderBy(n => ids[n.Url]).ToList();
            var first = new Random(seed).Next(byId.Count);
            var victims = new[] { byId[first], byId[(first + 1) % byId.Count] };
            var clock = Stopwatch.StartNew();
            foreach (var victim in victims) victim.Kill();
            var survivors = nodes.Except(victims).ToList();

            var lookups = ProbeAsync(clock, (random, fault) => WrongLookupsAsync(http, survivors, ids, random, fault), seed);
            var reads = ProbeAsync(clock, (_, fault) => FailedReadsAsync(http, survivors, fault), seed);
            return new Run(await lookups, await reads);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    /// <summary>
    /// Runs passes back to back until one finds nothing wrong. A pass calls its fault action for each wrong
    /// answer; the time of the last one is kept.
    /// </summary>
    private static async Task<Probe> ProbeAsync(Stopwatch clock, Func<Random, Action, Task> pass, int seed)
    {
        var random = new Random(seed * 7919 + 1);
        var faults = 0;
        long lastFault = 0;
        void Fault()
        {
            Interlocked.Increment(ref faults);
            var now = clock.ElapsedTicks;
            long seen;
            while ((seen = Interlocked.Read(ref lastFault)) < now && Interlocked.CompareExchange(ref lastFault, now, seen) != seen)
            {
            }
        }
        for (var passes = 1; ; passes++)
        {
            var before = Volatile.Read(ref faults);
            await pass(random, Fault);
            if (Volatile.Read(ref faults) == before)
                return new Probe((double)Interlocked.Read(ref lastFault) / Stopwatch.Frequency, clock.Elapsed.TotalSeconds, passes, faults);
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"not repaired after 60 s ({faults} faults)");
        }
    }

    /// <summary>Lookups of random ids from every node in <paramref name="members"/>, each checked against the true successor.</summary>
    private static async Task WrongLookupsAsync(HttpClient http, IReadOnlyList<ServiceProcess> members, IReadOnlyDictionary<string, Id160> ids, Random random, Action fault)
    {
        var ring = members.Select(m => (Id: ids[m.Url], m.Url)).OrderBy(m => m.Id).ToList();
        var targets = Enumerable.Range(0, LookupIds).Select(_ => RandomId(random)).ToList();
        await Parallel.ForEachAsync(members.SelectMany(m => targets.Select(t => (m.Url, Target: t))),
            new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (lookup, ct) =>
            {
                var expected = ring.FirstOrDefault(m => m.Id.CompareTo(lookup.Target) >= 0, ring[0]).Url;
                try
                {
                    var report = await http.GetFromJsonAsync<LookupReport>($"{lookup.Url}/chord/lookup/{lookup.Target}", Json, ct);
                    if (report?.Successor.Url != expected) fault();
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    fault();
                }
            });
    }

    /// <summary>Reads every register and swarm through the survivors (spread over them); the number wrong or failed.</summary>
    private static async Task FailedReadsAsync(HttpClient http, IReadOnlyList<ServiceProcess> survivors, Action fault)
    {
        await Parallel.ForAsync(0, Keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var via = survivors[i % survivors.Count].Url;
            try
            {
                var value = await ExecuteAsync(http, via, new DhtOperation($"torrent/{i}", DhtOperationKind.Get), ct);
                var swarm = await ExecuteAsync(http, via, new DhtOperation($"swarm/{i}", DhtOperationKind.GetSet), ct);
                var ok = Encoding.UTF8.GetString(value.Value ?? []) == $"value {i}" && swarm.Members?.Count == 2;
                if (!ok) fault();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                fault();
            }
        });
    }

    private static Id160 RandomId(Random random)
    {
        Span<byte> bytes = stackalloc byte[20];
        random.NextBytes(bytes);
        return Id160.Parse(Convert.ToHexStringLower(bytes));
    }

    private static async Task<DhtResult> ExecuteAsync(HttpClient http, string via, DhtOperation operation, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync($"{via}/dht/execute", operation, Json, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<DhtResult>(Json, ct))!;
    }

    private static async Task<NodeInfo> InfoAsync(HttpClient http, string url) =>
        (await http.GetFromJsonAsync<NodeInfo>($"{url}/chord/info", Json))!;

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
