using System.Diagnostics;
using System.Globalization;
using System.Text;
using BitTorrent.SimulationTests;

namespace BitTorrent.Bench;

/// <summary>Chord lookups at N = 10,000 over the in-memory transport: hop distribution against ½·log2 N + 1.</summary>
public static class RingBenchmark
{
    public static async Task RunAsync(BenchmarkReport report, int nodes, int lookups)
    {
        var clock = Stopwatch.StartNew();
        var network = new SimulatedNetwork(seed: 2026);
        var ring = await network.BuildRingAsync(nodes);
        var built = clock.Elapsed;
        foreach (var n in ring) n.Node.Hops.Reset();

        var wrong = 0;
        var histogram = new SortedDictionary<int, int>();
        clock.Restart();
        for (var i = 0; i < lookups; i++)
        {
            var id = network.RandomId();
            var result = await ring[network.Random.Next(ring.Count)].Node.FindSuccessorAsync(id);
            if (result.Successor.Id != network.TrueSuccessor(id)) wrong++;
            histogram[result.Hops] = histogram.GetValueOrDefault(result.Hops) + 1;
        }
        var lookupTime = clock.Elapsed;
        var mean = histogram.Sum(h => (double)h.Key * h.Value) / lookups;
        var bound = 0.5 * Math.Log2(nodes) + 1;

        var body = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        body.AppendLine("## Chord lookups, simulation (N = 10,000)").AppendLine();
        body.AppendLine(c, $"Command: `make bench` (the ring part alone: `scripts/bench.sh ring`).").AppendLine();
        body.AppendLine(c, $"{nodes:N0} nodes built by joins and stabilization in {built.TotalSeconds:F1} s; {lookups:N0} lookups of random ids from random nodes in {lookupTime.TotalSeconds:F1} s.").AppendLine();
        body.AppendLine(c, $"| metric | value |\n| --- | --- |\n| mean hops | **{mean:F2}** |\n| target ½·log2 N + 1 | {bound:F2} |\n| paper's ½·log2 N | {0.5 * Math.Log2(nodes):F2} |\n| wrong answers | {wrong} |").AppendLine();
        body.AppendLine("| hops | lookups | share |").AppendLine("| ---: | ---: | ---: |");
        foreach (var (hops, count) in histogram) body.AppendLine(c, $"| {hops} | {count:N0} | {100.0 * count / lookups:F1}% |");
        report.WriteSection("ring-lookups", body.ToString());
        if (wrong > 0 || mean > bound) throw new InvalidOperationException($"ring benchmark missed its target: mean {mean:F2}, wrong {wrong}");
    }
}
