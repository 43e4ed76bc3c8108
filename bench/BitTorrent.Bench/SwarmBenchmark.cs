using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Bench;

/// <summary>
/// Swarms over loopback (ARCHITECTURE §7): 256 MiB from 4 seeders to 1 leecher, and from 1 seeder to 8
/// leechers; the time from the leechers' start to the last one done, our peers against libtorrent clients,
/// both through our tracker (one chord node), in the same run. Leechers that finish keep seeding to the
/// others in both cases (ours stay up; libtorrent's run with 'stay').
/// </summary>
public static class SwarmBenchmark
{
    private const long Size = 256L << 20;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly (int Seeders, int Leechers)[] Scenarios = [(4, 1), (1, 8)];

    private sealed record Outcome(int Seeders, int Leechers, double Ours, double Libtorrent);

    public static async Task RunAsync(BenchmarkReport report)
    {
        using var folder = new TempFolder();
        Console.WriteLine("writing a 256 MiB file…");
        var source = folder.RandomFile("swarm-256MiB.bin", Size, seed: 256);
        var pieceLength = TorrentMetainfo.ChoosePieceLength(Size);

        using var http = BenchPeerKey.Authorized(new HttpClient { Timeout = TimeSpan.FromMinutes(10) });
        var outcomes = new List<Outcome>();
        foreach (var (seeders, leechers) in Scenarios)
        {
            // A tracker of its own per scenario: no peer of an earlier swarm is handed out.
            var nodeEnvironment = new Dictionary<string, string> { ["Discovery__Enabled"] = "false", ["Chord__JoinWait"] = "00:00:00", ["Logging__LogLevel__Default"] = "Warning" };
            foreach (var (key, value) in AnnounceBenchmark.Passed("BENCH_NODE_")) nodeEnvironment[key] = value;
            await using var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [], nodeEnvironment);
            await TransferBenchmark.WaitAsync(async () => (await http.GetAsync(node.Url + "/readyz")).IsSuccessStatusCode, "the chord node");
            var ours = await OursAsync(folder, source, node, http, seeders, leechers);
            Console.WriteLine(string.Create(C, $"ours {seeders} → {leechers}: {ours:F2} s"));
            var libtorrent = await LibtorrentAsync(folder, source, node, http, seeders, leechers, pieceLength);
            Console.WriteLine(string.Create(C, $"libtorrent {seeders} → {leechers}: {libtorrent:F2} s"));
            outcomes.Add(new Outcome(seeders, leechers, ours, libtorrent));
        }

        var body = new StringBuilder();
        body.AppendLine("## Swarms: 256 MiB, several seeders or several leechers").AppendLine();
        body.AppendLine(C, $"Command: `make bench` (this part alone: `scripts/bench.sh swarm`). Every client on loopback finds the others through our tracker (a chord node's `/announce`, a fresh one per swarm); libtorrent (python3-libtorrent, TCP only, DHT/LSD/UPnP/NAT-PMP off) gets a `mktorrent` torrent with our piece length ({pieceLength / 1024} KiB). Seeders are ready (published, or checked) before the clock starts; the time runs from the leechers' start to the last leecher done. A leecher that is done keeps seeding to the others.").AppendLine();
        body.AppendLine("| swarm | ours | libtorrent | ours ÷ libtorrent |").AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var o in outcomes)
            body.AppendLine(C, $"| {o.Seeders} seeder{(o.Seeders > 1 ? "s" : "")} → {o.Leechers} leecher{(o.Leechers > 1 ? "s" : "")} | {o.Ours:F2} s | {o.Libtorrent:F2} s | **{o.Ours / o.Libtorrent:F2}** |");
        body.AppendLine().AppendLine("Target: time to the last done ≤ 0.5× libtorrent's in the same run.");
        report.WriteSection("swarm", body.ToString());
    }

    private static async Task<double> OursAsync(TempFolder folder, string source, ServiceProcess node, HttpClient http, int seeders, int leechers)
    {
        var peers = new List<ServiceProcess>();
        try
        {
            for (var i = 0; i < seeders + leechers; i++)
            {
                var environment = new Dictionary<string, string>
                {
                    ["Discovery__Enabled"] = "false",
                    ["Tracker__Seeds__0"] = node.Url,
                    ["Peer__StoragePath"] = folder.Sub($"ours-{seeders}-{leechers}-{i}"),
                    ["Peer__ApiKey"] = BenchPeerKey.Value,
                    ["Peer__SwarmPollInterval"] = "00:00:01",
                    ["Logging__LogLevel__Default"] = "Warning",
                };
                foreach (var (key, value) in AnnounceBenchmark.Passed("BENCH_PEER_")) environment[key] = value;
                peers.Add(ServiceProcess.Start("peer", ServiceProcess.FreePort(), [], environment));
            }
            foreach (var peer in peers) await TransferBenchmark.WaitAsync(async () => (await http.GetAsync(peer.Url + "/readyz")).IsSuccessStatusCode, peer.Name);

            Console.WriteLine(string.Create(C, $"ours {seeders} → {leechers}: publishing on the seeders (not timed)…"));
            string? infoHash = null;
            foreach (var seeder in peers.Take(seeders))
            {
                using var form = new MultipartFormDataContent();
                var content = new StreamContent(File.OpenRead(source));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(content, "file", Path.GetFileName(source));
                using var published = await http.PostAsync(seeder.Url + "/api/files", form);
                published.EnsureSuccessStatusCode();
                using var document = JsonDocument.Parse(await published.Content.ReadAsStringAsync());
                var hash = document.RootElement.GetProperty("infoHash").GetString()!;
                if (infoHash is not null && hash != infoHash) throw new InvalidOperationException("the seeders published different torrents");
                infoHash = hash;
            }
            await TransferBenchmark.WaitForSeedersAsync(http, node.Url, Id160.Parse(infoHash!), seeders, () => { });

            var cpuBefore = peers.Select(p => AnnounceBenchmark.CpuSeconds(p.Pid)).ToList();
            var clock = Stopwatch.StartNew();
            var leecherPeers = peers.Skip(seeders).ToList();
            var doneAt = new List<double>();
            await Task.WhenAll(leecherPeers.Select(async leecher =>
            {
                using var start = await http.PostAsJsonAsync(leecher.Url + "/api/downloads", new { infoHash });
                start.EnsureSuccessStatusCode();
            }));
            var pending = leecherPeers.ToHashSet();
            while (pending.Count > 0)
            {
                foreach (var leecher in pending.ToList())
                {
                    using var download = JsonDocument.Parse(await http.GetStringAsync($"{leecher.Url}/api/downloads/{infoHash}"));
                    var state = download.RootElement.GetProperty("state").GetString();
                    if (state == "completed" && pending.Remove(leecher)) doneAt.Add(clock.Elapsed.TotalSeconds);
                    if (state == "failed") throw new InvalidOperationException("a download failed: " + download.RootElement);
                }
                if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("our swarm took over 5 minutes");
                if (pending.Count > 0) await Task.Delay(50);
            }
            var elapsed = clock.Elapsed.TotalSeconds;
            // Where the time went, for comparing builds: when each leecher finished, and each process's CPU over the swarm.
            var cpu = peers.Select((p, i) => AnnounceBenchmark.CpuSeconds(p.Pid) - cpuBefore[i]).ToList();
            var received = new List<string>();
            foreach (var leecher in leecherPeers)
            {
                using var response = await http.GetAsync(leecher.Url + "/metrics");
                var metrics = PrometheusText.Parse(response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "");
                double Sum(string prefix) => metrics.Samples.Where(m => m.Name.StartsWith(prefix, StringComparison.Ordinal)).Sum(m => m.Value);
                received.Add(string.Create(C, $"{Sum("bittorrent_peer_received") / (1 << 20):F0}/{Sum("bittorrent_peer_rejects_received"):F0}"));
            }
            Console.WriteLine($"  leechers' MiB received / rejects received: {string.Join(' ', received)}");
            Console.WriteLine(string.Create(C,
                $"  leechers done at {string.Join(' ', doneAt.Select(t => t.ToString("F2", C)))} s; CPU seconds: seeders {string.Join(' ', cpu.Take(seeders).Select(c => c.ToString("F2", C)))}, leechers {string.Join(' ', cpu.Skip(seeders).Select(c => c.ToString("F2", C)))} (the machine had {elapsed * Environment.ProcessorCount:F1})"));
            return elapsed;
        }
        finally
        {
            foreach (var peer in peers) await peer.DisposeAsync();
        }
    }

    private static async Task<double> LibtorrentAsync(TempFolder folder, string source, ServiceProcess node, HttpClient http, int seeders, int leechers, int pieceLength)
    {
        var script = Path.Combine(ServiceProcess.RepositoryRoot(), "bench", "real-clients", "libtorrent_client.py");
        var torrent = Path.Combine(folder.Path, $"libtorrent-{seeders}-{leechers}.torrent");
        // mktorrent -l: log2 of the piece length, so the same pieces as ours.
        await ExternalProgram.RunAsync("mktorrent", ["-a", node.Url + "/announce", "-l", Math.Log2(pieceLength).ToString(C), "-o", torrent, source], TimeSpan.FromMinutes(2));
        var programs = new List<ExternalProgram>();
        try
        {
            for (var i = 0; i < seeders; i++)
                programs.Add(ExternalProgram.Start("/usr/bin/python3", [script, "seed", torrent, Path.GetDirectoryName(source)!, ServiceProcess.FreePort().ToString(C)]));
            await TransferBenchmark.WaitForSeedersAsync(http, node.Url, TransferBenchmark.InfoHashOf(await File.ReadAllBytesAsync(torrent)), seeders, () =>
            {
                if (programs.FirstOrDefault(p => p.HasExited) is { } exited) throw new InvalidOperationException("a seeder stopped:\n" + exited.Output);
            });

            var clock = Stopwatch.StartNew();
            var leecherPrograms = Enumerable.Range(0, leechers)
                .Select(i => ExternalProgram.Start("/usr/bin/python3", [script, "leech", torrent, folder.Sub($"libtorrent-{seeders}-{leechers}-{i}"), ServiceProcess.FreePort().ToString(C), "stay"]))
                .ToList();
            programs.AddRange(leecherPrograms);
            while (!leecherPrograms.All(p => p.Output.Contains("done", StringComparison.Ordinal)))
            {
                if (leecherPrograms.FirstOrDefault(p => p.HasExited) is { } exited) throw new InvalidOperationException("a libtorrent leecher stopped:\n" + exited.Output);
                if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("the libtorrent swarm took over 5 minutes");
                await Task.Delay(20);
            }
            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var program in programs) await program.DisposeAsync();
        }
    }
}
