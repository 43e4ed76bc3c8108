using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;

namespace BitTorrent.Bench;

/// <summary>
/// Swarms of 256 MiB over loopback (ARCHITECTURE.md §7): 4 seeders → 1 leecher and 1 seeder → 8
/// leechers, our peer processes against libtorrent clients, all through our tracker, in one run.
/// The measure is the time from the leechers' start to the last one done.
/// </summary>
public static class SwarmBenchmark
{
    private const long Size = 256L << 20;
    private const int PieceLengthLog2 = 18; // 256 KiB: the piece length our peer picks for 256 MiB, given to libtorrent too
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private sealed record Scenario(string Name, int Seeders, int Leechers);

    private sealed record Outcome(double Seconds, string Note)
    {
        public string Time => Seconds > 0 ? Seconds.ToString("F2", CultureInfo.InvariantCulture) : "–";
    }

    public static async Task RunAsync(BenchmarkReport report)
    {
        Scenario[] scenarios = [new("4 seeders → 1 leecher", 4, 1), new("1 seeder → 8 leechers", 1, 8)];
        using var folder = new TempFolder();
        Console.WriteLine("writing a 256 MiB file…");
        var source = folder.RandomFile("swarm-256MiB.bin", Size, seed: 2027);
        await using var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [],
            new Dictionary<string, string> { ["Discovery__Enabled"] = "false", ["Chord__JoinWaitMs"] = "0", ["Logging__LogLevel__Default"] = "Warning" });
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        await TransferBenchmark.WaitAsync(async () => (await http.GetAsync(node.Url + "/readyz")).IsSuccessStatusCode, "the chord node");

        var rows = new List<(Scenario Scenario, Outcome Ours, Outcome Libtorrent)>();
        foreach (var scenario in scenarios)
        {
            var ours = await Guarded(() => OursAsync(folder, source, node, http, scenario));
            var libtorrent = await Guarded(() => LibtorrentAsync(folder, source, node.Url, http, scenario));
            Console.WriteLine($"{scenario.Name}: ours {ours.Time} s, libtorrent {libtorrent.Time} s");
            rows.Add((scenario, ours, libtorrent));
        }

        var body = new StringBuilder();
        body.AppendLine("## Swarms of 256 MiB over loopback").AppendLine();
        body.AppendLine(C, $"Command: `make bench` (this part alone: `scripts/bench.sh swarm`). Every peer is its own process and finds the others through our tracker (a chord node's `/announce`); libtorrent clients (python3-libtorrent, `bench/real-clients/libtorrent_client.py`) run with DHT, LSD, UPnP and NAT-PMP off, over TCP, bound to 127.0.0.1, on a torrent of {1 << (PieceLengthLog2 - 10)} KiB pieces like ours. Time is from the leechers' start to the last one done; seeders are announced before (hashing is not counted). A libtorrent leecher exits when it is done; ours stay and seed.").AppendLine();
        body.AppendLine("| swarm | ours (s) | libtorrent (s) | ours ÷ libtorrent | target | note |").AppendLine("| --- | ---: | ---: | ---: | --- | --- |");
        foreach (var (scenario, ours, libtorrent) in rows)
        {
            var ratio = ours.Seconds > 0 && libtorrent.Seconds > 0 ? (ours.Seconds / libtorrent.Seconds).ToString("F2", C) : "–";
            var note = string.Join("; ", new[] { ours.Note, libtorrent.Note }.Where(n => n.Length > 0));
            body.AppendLine(C, $"| {scenario.Name} | {ours.Time} | {libtorrent.Time} | **{ratio}** | ≤ 0.75 | {note} |");
        }
        report.WriteSection("swarms-256mib", body.ToString());
    }

    /// <summary>A scenario that breaks is reported as such, not as a crash of the whole bench.</summary>
    private static async Task<Outcome> Guarded(Func<Task<Outcome>> run)
    {
        try
        {
            return await run();
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or HttpRequestException)
        {
            Console.WriteLine("failed: " + e.Message);
            return new Outcome(0, "failed: " + e.Message.Split('\n')[0]);
        }
    }

    private static async Task<Outcome> OursAsync(TempFolder folder, string source, ServiceProcess node, HttpClient http, Scenario scenario)
    {
        var tag = $"ours-{scenario.Seeders}x{scenario.Leechers}";
        var peers = new List<ServiceProcess>();
        try
        {
            for (var i = 0; i < scenario.Seeders + scenario.Leechers; i++)
            {
                peers.Add(ServiceProcess.Start("peer", ServiceProcess.FreePort(), [], new Dictionary<string, string>
                {
                    ["Discovery__Enabled"] = "false",
                    ["Tracker__Seeds__0"] = node.Url,
                    ["Peer__StoragePath"] = folder.Sub($"{tag}-{i}"),
                    ["Peer__SwarmPollSeconds"] = "1",
                    ["Logging__LogLevel__Default"] = "Warning",
                }));
            }
            foreach (var peer in peers)
                await TransferBenchmark.WaitAsync(async () => (await http.GetAsync(peer.Url + "/readyz")).IsSuccessStatusCode, peer.Name);
            var seeders = peers.Take(scenario.Seeders).ToList();
            var leechers = peers.Skip(scenario.Seeders).ToList();

            Console.WriteLine($"ours, {scenario.Name}: publishing on {seeders.Count} seeder(s) (not timed)…");
            string? infoHash = null;
            foreach (var seeder in seeders)
            {
                using var form = new MultipartFormDataContent();
                var content = new StreamContent(File.OpenRead(source));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(content, "file", Path.GetFileName(source));
                using var published = await http.PostAsync(seeder.Url + "/api/files", form);
                published.EnsureSuccessStatusCode();
                var hash = JsonDocument.Parse(await published.Content.ReadAsStringAsync()).RootElement.GetProperty("infoHash").GetString()!;
                if (infoHash is not null && hash != infoHash) throw new InvalidOperationException("the seeders published different torrents of one file");
                infoHash = hash;
            }
            await TransferBenchmark.WaitForSeedersAsync(http, node.Url, BitTorrent.Shared.Identifiers.Id160.Parse(infoHash!), seeders.Count, () => { });

            var clock = Stopwatch.StartNew();
            var done = await Task.WhenAll(leechers.Select(async leecher =>
            {
                using (var start = await http.PostAsJsonAsync(leecher.Url + "/api/downloads", new { infoHash }))
                    start.EnsureSuccessStatusCode();
                while (true)
                {
                    var download = JsonDocument.Parse(await http.GetStringAsync($"{leecher.Url}/api/downloads/{infoHash}")).RootElement;
                    var state = download.GetProperty("state").GetString();
                    if (state == "completed") return clock.Elapsed.TotalSeconds;
                    if (state == "failed") throw new InvalidOperationException("our download failed: " + download.GetProperty("error").GetString());
                    if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("our download took over 5 minutes");
                    await Task.Delay(50); // eight leechers polled every 20 ms would be 400 requests a second on two cores
                }
            }));
            var peak = leechers.Max(l => TransferBenchmark.PeakRss(l.Pid));
            Console.WriteLine($"ours, {scenario.Name}: leechers done at {string.Join(", ", done.Order().Select(d => d.ToString("F2", C)))} s");
            return new Outcome(done.Max(), $"ours: leecher peak RSS up to {peak / (1 << 20)} MiB");
        }
        finally
        {
            foreach (var peer in peers) await peer.DisposeAsync();
            for (var i = 0; i < scenario.Seeders + scenario.Leechers; i++) Directory.Delete(folder.Sub($"{tag}-{i}"), recursive: true);
        }
    }

    private static async Task<Outcome> LibtorrentAsync(TempFolder folder, string source, string tracker, HttpClient http, Scenario scenario)
    {
        var script = Path.Combine(ServiceProcess.RepositoryRoot(), "bench", "real-clients", "libtorrent_client.py");
        var tag = $"libtorrent-{scenario.Seeders}x{scenario.Leechers}";
        var torrent = await TransferBenchmark.MakeTorrentAsync(folder, source, tracker + "/announce", tag, PieceLengthLog2);
        var infoHash = TransferBenchmark.InfoHashOf(await File.ReadAllBytesAsync(torrent));
        var seeders = new List<ExternalProgram>();
        var leechers = new List<ExternalProgram>();
        try
        {
            for (var i = 0; i < scenario.Seeders; i++)
                seeders.Add(ExternalProgram.Start("/usr/bin/python3", [script, "seed", torrent, Path.GetDirectoryName(source)!, ServiceProcess.FreePort().ToString(C)]));
            Console.WriteLine($"libtorrent, {scenario.Name}: waiting for {seeders.Count} seeder(s) to announce…");
            await TransferBenchmark.WaitForSeedersAsync(http, tracker, infoHash, seeders.Count, () =>
            {
                if (seeders.Find(s => s.HasExited) is { } stopped) throw new InvalidOperationException("a libtorrent seeder stopped:\n" + stopped.Output);
            });

            var clock = Stopwatch.StartNew();
            for (var i = 0; i < scenario.Leechers; i++)
                leechers.Add(ExternalProgram.Start("/usr/bin/python3", [script, "leech", torrent, folder.Sub($"{tag}-leecher{i}"), ServiceProcess.FreePort().ToString(C)]));
            var done = await Task.WhenAll(leechers.Select(async leecher =>
            {
                await TransferBenchmark.WatchUntilExitAsync(leecher, TimeSpan.FromMinutes(5));
                var seconds = clock.Elapsed.TotalSeconds;
                if (leecher.ExitCode != 0 || !leecher.Output.Contains("done", StringComparison.Ordinal))
                    throw new InvalidOperationException("a libtorrent leecher failed: " + leecher.Output.Trim().Split('\n').LastOrDefault());
                return seconds;
            }));
            Console.WriteLine($"libtorrent, {scenario.Name}: leechers done at {string.Join(", ", done.Order().Select(d => d.ToString("F2", C)))} s");
            return new Outcome(done.Max(), "");
        }
        finally
        {
            foreach (var program in seeders.Concat(leechers)) await program.DisposeAsync();
            for (var i = 0; i < scenario.Leechers; i++) Directory.Delete(folder.Sub($"{tag}-leecher{i}"), recursive: true);
        }
    }
}
