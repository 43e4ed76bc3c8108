using System.Globalization;
using BitTorrent.IntegrationTests.Infrastructure;

namespace BitTorrent.Bench;

/// <summary>
/// What an announce costs in CPU, the one figure of the announce benchmark that does not depend on how busy the
/// machine is: the ring of <see cref="AnnounceBenchmark"/> (8 nodes, persistence on, the gateway) idle, then at a
/// fixed offered rate for a few runs, each process's CPU seconds (from /proc) over the run divided by the
/// announces. The idle figure is what ring upkeep (stabilize, fix-fingers, anti-entropy) costs with no announce at
/// all; every announce is charged its share of it at the rate offered. Prints, writes no report: for comparing builds.
/// </summary>
public static class AnnounceCpuBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Runs <paramref name="runs"/> paced runs of <paramref name="seconds"/> at <paramref name="rate"/> announces/s.</summary>
    public static async Task RunAsync(double rate, int seconds, int runs)
    {
        var script = Path.Combine(ServiceProcess.RepositoryRoot(), "bench", "wrk", "announce.lua");
        var nodes = new List<ServiceProcess>();
        ServiceProcess? gateway = null;
        using var data = new TempFolder();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            gateway = await AnnounceBenchmark.StartRingAsync(http, data, nodes);
            await AnnounceBenchmark.WrkAsync(gateway.Url, script, "5s"); // warm up: JIT, connection pools, owner caches
            await Task.Delay(TimeSpan.FromSeconds(5)); // write-behind and the last merges settle

            var idle = TimeSpan.FromSeconds(10);
            var (nodesIdle, gatewayIdle) = await CpuOverAsync(nodes, gateway, () => Task.Delay(idle));
            Console.WriteLine(string.Create(C,
                $"idle: the nodes together {nodesIdle / idle.TotalSeconds * 100:F1}% of a core ({nodesIdle / idle.TotalSeconds * 100 / nodes.Count:F2}% each), gateway {gatewayIdle / idle.TotalSeconds * 100:F2}%; load {AnnounceBenchmark.LoadAverage()}"));

            for (var run = 1; run <= runs; run++)
            {
                PacedLoad.Result? result = null;
                var before = await AnnounceBenchmark.ScrapeAllAsync(http, [gateway, .. nodes]);
                var (nodesCpu, gatewayCpu) = await CpuOverAsync(nodes, gateway,
                    async () => result = await PacedLoad.RunAsync(gateway.Url, rate, TimeSpan.FromSeconds(seconds), seed: run));
                var after = await AnnounceBenchmark.ScrapeAllAsync(http, [gateway, .. nodes]);
                var r = result!;
                double Allocated(int i) => after[i].Metrics.Sum("dotnet_gc_heap_total_allocated_bytes_total") - before[i].Metrics.Sum("dotnet_gc_heap_total_allocated_bytes_total");
                var nodesAllocated = Enumerable.Range(1, nodes.Count).Sum(Allocated);
                Console.WriteLine(string.Create(C,
                    $"run {run}: {r.Achieved:F0}/s of {rate:F0} offered, p50 {r.P50Ms:F1} ms, p99 {r.P99Ms:F1} ms, errors {r.Errors}; CPU per announce: gateway {gatewayCpu / r.Requests * 1e6:F0} µs, the nodes together {nodesCpu / r.Requests * 1e6:F0} µs, total {(gatewayCpu + nodesCpu) / r.Requests * 1e6:F0} µs; allocated per announce: gateway {Allocated(0) / r.Requests / 1024:F1} KiB, the nodes together {nodesAllocated / r.Requests / 1024:F1} KiB; load {AnnounceBenchmark.LoadAverage()}"));
                double Delta(int i, string name, params (string, string)[] labels) => after[i].Metrics.Sum(name, labels) - before[i].Metrics.Sum(name, labels);
                double Nodes(string name, params (string, string)[] labels) => Enumerable.Range(1, nodes.Count).Sum(i => Delta(i, name, labels));
                var generations = string.Join(", ", new[] { "gen0", "gen1", "gen2" }.Select(g => $"{g} {Nodes("dotnet_gc_collections_total", ("gc_heap_generation", g)):F0}"));
                Console.WriteLine(string.Create(C,
                    $"  load generator {r.CpuSeconds / r.Requests * 1e6:F0} µs per announce; garbage collection: gateway {Delta(0, "dotnet_gc_collections_total"):F0} collections pausing {Delta(0, "dotnet_gc_pause_time_seconds_total") * 1000:F0} ms, the nodes together {Nodes("dotnet_gc_collections_total"):F0} ({generations}) pausing {Nodes("dotnet_gc_pause_time_seconds_total") * 1000:F0} ms"));
                Console.WriteLine($"  p99 by second (ms): {PacedLoad.Describe(r.P99BySecondMs)}");
                // A timed-out announce may or may not have been served: the division above then means little.
                if (r.Errors > 0) Console.WriteLine("  (announces failed or timed out: this run's CPU per announce is not comparable)");
            }
        }
        finally
        {
            if (gateway is not null) await gateway.DisposeAsync();
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    /// <summary>CPU seconds the nodes together and the gateway used while <paramref name="work"/> ran.</summary>
    private static async Task<(double Nodes, double Gateway)> CpuOverAsync(List<ServiceProcess> nodes, ServiceProcess gateway, Func<Task> work)
    {
        var nodesBefore = nodes.Sum(n => AnnounceBenchmark.CpuSeconds(n.Pid));
        var gatewayBefore = AnnounceBenchmark.CpuSeconds(gateway.Pid);
        await work();
        return (nodes.Sum(n => AnnounceBenchmark.CpuSeconds(n.Pid)) - nodesBefore, AnnounceBenchmark.CpuSeconds(gateway.Pid) - gatewayBefore);
    }
}
