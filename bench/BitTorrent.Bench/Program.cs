using BitTorrent.Bench;

// make bench: each benchmark writes its section of docs/benchmarks.md.
var which = args.Length > 0 ? args[0] : "all";
var report = new BenchmarkReport(Environment.GetEnvironmentVariable("BENCH_REPORT") ?? "docs/benchmarks.md");
if (which is "ring" or "all") await RingBenchmark.RunAsync(report, nodes: 10_000, lookups: 20_000);
if (which is "transfer" or "all") await TransferBenchmark.RunAsync(report);
if (which is "swarm" or "all") await SwarmBenchmark.RunAsync(report);
if (which is "announce" or "all") await AnnounceBenchmark.RunAsync(report);
if (which is "repair" or "all") await RepairBenchmark.RunAsync(report);
if (which is "restart" or "all") await RestartBenchmark.RunAsync(report);
if (which is "seed-scale" or "all") await SeedingScaleBenchmark.RunAsync(report);
if (which is "catalog" or "all") await CatalogBenchmark.RunAsync(report);
if (which is "copies" or "all") await CopiesBenchmark.RunAsync(report);
if (which is "fast" or "all") await FastExtensionBenchmark.RunAsync(report);
if (which is "transfer-ours") await TransferBenchmark.RunOursAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3);
if (which is "transfer-harness") await TransferHarness.RunAsync(args[1..]);
if (which is "announce-cpu")
{
    double Argument(int i, double fallback) => args.Length > i ? double.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    await AnnounceCpuBenchmark.RunAsync(rate: Argument(1, 1500), seconds: (int)Argument(2, 15), runs: (int)Argument(3, 3));
}
if (which is "announce-load") await PacedLoad.PrintAsync(args[1..]);
return 0;
