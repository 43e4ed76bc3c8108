using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Bench;

/// <summary>
/// One peer process seeding 1,000 small torrents to 50 leecher connections: its peak RSS while it
/// serves them, and what its engine thread (the select loop) and the whole process cost in CPU
/// while the 50 connections stay open and idle.
/// </summary>
public static class SeedingScaleBenchmark
{
    private const int Torrents = 1_000;
    private const int Leechers = 5;
    private const int TorrentsPerLeecher = 10; // 5 × 10 = 50 connections to the seeder
    private const int FileBytes = 100 * 1024;
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(10);
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static async Task RunAsync(BenchmarkReport? report)
    {
        using var folder = new TempFolder();
        await using var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [],
            new Dictionary<string, string> { ["Discovery__Enabled"] = "false", ["Chord__JoinWaitMs"] = "0", ["Logging__LogLevel__Default"] = "Warning" });
        using var http = BenchPeerKey.Authorized(new HttpClient { Timeout = TimeSpan.FromMinutes(5) });
        await TransferBenchmark.WaitAsync(async () => (await http.GetAsync(node.Url + "/readyz")).IsSuccessStatusCode, "the chord node");
        await using var seeder = ServiceProcess.Start("peer", ServiceProcess.FreePort(), [], new Dictionary<string, string>
        {
            ["Discovery__Enabled"] = "false",
            ["Tracker__Seeds__0"] = node.Url,
            ["Peer__StoragePath"] = folder.Sub("seeder"),
            ["Peer__ApiKey"] = BenchPeerKey.Value,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        await TransferBenchmark.WaitAsync(async () => (await http.GetAsync(seeder.Url + "/readyz")).IsSuccessStatusCode, seeder.Name);
        var rssIdle = TransferBenchmark.Rss(seeder.Pid);

        Console.WriteLine($"seeding scale: publishing {Torrents} files of {FileBytes / 1024} KiB…");
        var clock = Stopwatch.StartNew();
        var files = folder.Sub("files");
        var infoHashes = new string[Torrents];
        await Parallel.ForAsync(0, Torrents, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var path = Path.Combine(files, $"small-{i:D4}.bin");
            var bytes = new byte[FileBytes];
            new Random(i).NextBytes(bytes);
            await File.WriteAllBytesAsync(path, bytes, ct);
            using var form = new MultipartFormDataContent();
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "file", Path.GetFileName(path));
            using var published = await http.PostAsync(seeder.Url + "/api/files", form, ct);
            published.EnsureSuccessStatusCode();
            infoHashes[i] = JsonDocument.Parse(await published.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("infoHash").GetString()!;
        });
        var publishSeconds = clock.Elapsed.TotalSeconds;
        var rssSeeding = TransferBenchmark.Rss(seeder.Pid);
        var me = JsonDocument.Parse(await http.GetStringAsync(seeder.Url + "/api/me")).RootElement;
        var seederEndPoint = new IPEndPoint(IPAddress.Loopback, me.GetProperty("transferPort").GetInt32());

        Console.WriteLine($"seeding scale: {Leechers} leecher engines fetch {TorrentsPerLeecher} torrents each…");
        var engines = Enumerable.Range(0, Leechers).Select(_ => new TransferEngine(new TransferEngineOptions()).Start()).ToList();
        try
        {
            clock.Restart();
            var downloads = new List<(TransferEngine Engine, TorrentMetainfo Torrent)>();
            for (var l = 0; l < Leechers; l++)
            {
                for (var t = 0; t < TorrentsPerLeecher; t++)
                {
                    // Spread over the 1,000: the seeder serves torrents from all over its table.
                    var infoHash = infoHashes[(l * TorrentsPerLeecher + t) * (Torrents / (Leechers * TorrentsPerLeecher))];
                    var torrent = TorrentMetainfo.Parse(await http.GetByteArrayAsync($"{seeder.Url}/api/files/{infoHash}/torrent"));
                    await engines[l].StartDownloadAsync(torrent, Path.Combine(folder.Sub($"leecher-{l}"), infoHash + ".bin"), [seederEndPoint]);
                    downloads.Add((engines[l], torrent));
                }
            }
            foreach (var (engine, torrent) in downloads)
                await TransferBenchmark.WaitAsync(() => Task.FromResult(engine.GetDownload(torrent.InfoHash)?.State == DownloadState.Completed), "the downloads", TimeSpan.FromMinutes(2));
            var downloadSeconds = clock.Elapsed.TotalSeconds;
            var connections = downloads.Sum(d => d.Engine.GetDownload(d.Torrent.InfoHash)!.ConnectedPeers);

            // Idle: every download done, the 50 connections open (keep-alives only).
            await Task.Delay(TimeSpan.FromSeconds(2));
            var engineThread = EngineThread(seeder.Pid);
            var (loopBefore, processBefore) = (ThreadCpu(seeder.Pid, engineThread), ProcessCpu(seeder.Pid));
            clock.Restart();
            await Task.Delay(IdleWindow);
            var seconds = clock.Elapsed.TotalSeconds;
            var loopShare = (ThreadCpu(seeder.Pid, engineThread) - loopBefore) / seconds;
            var processShare = (ProcessCpu(seeder.Pid) - processBefore) / seconds;
            var peak = TransferBenchmark.PeakRss(seeder.Pid);

            var summary = string.Create(C, $"{Torrents} torrents, {connections} connections open: seeder peak RSS {peak / (1 << 20)} MiB (idle {rssIdle / (1 << 20)} MiB before publishing, {rssSeeding / (1 << 20)} MiB once seeding); idle seeding CPU: select loop {loopShare * 100:F2}% of a core, whole process {processShare * 100:F2}%; published in {publishSeconds:F1} s, downloads done in {downloadSeconds:F1} s; load average {TransferBenchmark.LoadAverage()}");
            Console.WriteLine(summary);
            if (report is null) return;
            var body = new StringBuilder();
            body.AppendLine("## Seeding at scale: 1,000 small torrents, 50 connections").AppendLine();
            body.AppendLine(C, $"Command: `scripts/bench.sh seed-scale`. One peer process publishes {Torrents:N0} files of {FileBytes / 1024} KiB through its REST API (and so seeds them); {Leechers} transfer engines in the bench process download {TorrentsPerLeecher} of them each from it, {Leechers * TorrentsPerLeecher} connections in all, left open once done. Peak RSS is the seeder's VmHWM; idle CPU is measured over {IdleWindow.TotalSeconds:F0} s with every download done and the connections open (keep-alives only): the engine thread (`transfer-engine`, the select loop) alone and the whole process (ASP.NET, timers, the tracker refresh of 1,000 torrents every 20 s).").AppendLine();
            body.AppendLine("| metric | value | target |").AppendLine("| --- | ---: | --- |");
            body.AppendLine(C, $"| torrents seeded / connections open | {Torrents:N0} / {connections} | 1,000 / 50 |");
            body.AppendLine(C, $"| seeder peak RSS | **{peak / (1 << 20)} MiB** | ≤ 150 MB |");
            body.AppendLine(C, $"| seeder RSS idle before publishing / once seeding | {rssIdle / (1 << 20)} / {rssSeeding / (1 << 20)} MiB | |");
            body.AppendLine(C, $"| select loop CPU while idle-seeding | **{loopShare * 100:F2}% of a core** | must not burn a core |");
            body.AppendLine(C, $"| whole process CPU while idle-seeding | {processShare * 100:F2}% of a core | |");
            body.AppendLine(C, $"| publishing 1,000 files (REST, 4 at a time) / the 50 downloads | {publishSeconds:F1} s / {downloadSeconds:F1} s | |");
            body.AppendLine().AppendLine(C, $"Load average at the end: {TransferBenchmark.LoadAverage()}.");
            report.WriteSection("seeding-scale", body.ToString());
        }
        finally
        {
            foreach (var engine in engines) await engine.DisposeAsync();
        }
    }

    /// <summary>The thread id of the engine's select loop (named "transfer-engine").</summary>
    private static string EngineThread(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task").Select(Path.GetFileName).First(tid => File.ReadAllText($"/proc/{pid}/task/{tid}/comm").Trim() == "transfer-engine")!;

    private static double ThreadCpu(int pid, string tid) => Ticks($"/proc/{pid}/task/{tid}/stat");

    private static double ProcessCpu(int pid) => Ticks($"/proc/{pid}/stat");

    /// <summary>utime + stime in seconds (clock ticks of 1/100 s).</summary>
    private static double Ticks(string statPath)
    {
        var stat = File.ReadAllText(statPath);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], C) + long.Parse(fields[12], C)) / 100.0;
    }
}
