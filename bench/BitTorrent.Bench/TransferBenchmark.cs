using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;

namespace BitTorrent.Bench;

/// <summary>
/// 1 GiB over loopback, one seeder to one leecher: our peer pair, an aria2 pair and a libtorrent pair
/// (all through our tracker), iperf3's loopback bandwidth, and the floor (the least work any pair must do, by
/// system calls and OpenSSL directly: <c>bench/real-clients/transfer_floor.py</c>), in one run on one machine.
/// </summary>
public static class TransferBenchmark
{
    private const long Size = 1L << 30;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Result(string Pair, double Seconds, long PeakRssBytes, string Note)
    {
        public double MiBps => Size / (1024.0 * 1024) / Seconds;
    }

    /// <summary>One run of <c>transfer_floor.py</c>: its faster pass's time for the 1 GiB and each side's CPU seconds, and both passes' times.</summary>
    private sealed record FloorRun(double Seconds, double SenderCpu, double ReceiverCpu, double[] Passes)
    {
        public double MiBps => Size / (1024.0 * 1024) / Seconds;

        public string PassList => string.Join(" and ", Passes.Select(p => p.ToString("F2", C) + " s"));
    }

    public static async Task RunAsync(BenchmarkReport report)
    {
        using var folder = new TempFolder();
        Console.WriteLine("writing a 1 GiB file…");
        var source = folder.RandomFile("bench-1GiB.bin", Size, seed: 2026);
        var iperf = await IperfAsync();
        Console.WriteLine($"iperf3 loopback: {iperf:F0} MiB/s");

        await using var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [],
            new Dictionary<string, string> { ["Discovery__Enabled"] = "false", ["Chord__JoinWait"] = "00:00:00", ["Logging__LogLevel__Default"] = "Warning" });
        using var http = BenchPeerKey.Authorized(new HttpClient { Timeout = TimeSpan.FromMinutes(10) });
        await WaitAsync(async () => (await http.GetAsync(node.Url + "/readyz")).IsSuccessStatusCode, "the chord node");
        var announce = node.Url + "/announce";

        var results = new List<Result>
        {
            await OursAsync(folder, source, node, http),
            await Aria2Async(folder, source, announce, http, node.Url),
            await LibtorrentAsync(folder, source, announce, http, node.Url),
        };
        foreach (var r in results) Console.WriteLine($"{r.Pair}: {r.MiBps:F0} MiB/s, peak RSS {r.PeakRssBytes / (1 << 20)} MiB {r.Note}");
        var floor = await FloorAsync(folder, source);
        Console.WriteLine(string.Create(C, $"floor: {floor.MiBps:F0} MiB/s (passes {floor.PassList}; CPU: sender {floor.SenderCpu:F2} s, receiver {floor.ReceiverCpu:F2} s)"));

        var ours = results[0];
        var bestReal = results.Skip(1).Where(r => r.Seconds > 0).MaxBy(r => r.MiBps);
        var body = new StringBuilder();
        body.AppendLine("## 1 GiB over loopback, one seeder to one leecher").AppendLine();
        body.AppendLine("Command: `make bench` (this part alone: `scripts/bench.sh transfer`). Every pair finds the other through our tracker (a chord node's `/announce`); real clients run with DHT, PEX and LPD off, bound to 127.0.0.1. Time is from the leecher's start to its last verified piece; hashing the file before is not counted. Peak RSS is the leecher process's VmHWM.").AppendLine();
        body.AppendLine("| pair | MiB/s | seconds | leecher peak RSS | note |").AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var r in results)
            body.AppendLine(C, $"| {r.Pair} | {(r.Seconds > 0 ? r.MiBps.ToString("F0", C) : "–")} | {(r.Seconds > 0 ? r.Seconds.ToString("F2", C) : "–")} | {r.PeakRssBytes / (1 << 20)} MiB | {r.Note} |");
        body.AppendLine(C, $"| floor: read → TCP → SHA-1 → write | {floor.MiBps:F0} | {floor.Seconds:F2} | | `bench/real-clients/transfer_floor.py`: the least work of any pair, by system calls and OpenSSL directly, no protocol; the faster of two passes ({floor.PassList}); its CPU: sender {floor.SenderCpu:F2} s, receiver {floor.ReceiverCpu:F2} s |");
        body.AppendLine(C, $"| iperf3 loopback TCP | {iperf:F0} | | | one stream, 5 s |").AppendLine();
        if (bestReal is not null)
        {
            var ratio = ours.MiBps / bestReal.MiBps;
            body.AppendLine(C, $"Ours ÷ fastest real pair ({bestReal.Pair}): **{ratio:F2}×** (target ≥ 2.5×). Ours ÷ loopback: **{ours.MiBps / iperf:F2}** (target ≥ 0.5); the floor ÷ loopback: **{floor.MiBps / iperf:F2}**, ours ÷ the floor: {ours.MiBps / floor.MiBps:F2}. Our leecher's peak RSS: **{ours.PeakRssBytes / (1 << 20)} MiB** (target ≤ 100 MB).");
        }
        report.WriteSection("transfer-1gib", body.ToString());
    }

    /// <summary>
    /// Only our pair, several times back to back (no report written), with iperf3's loopback
    /// bandwidth measured before the runs and after them: for comparing a change before and after
    /// on a noisy machine. Usage: BitTorrent.Bench transfer-ours [runs = 3].
    /// </summary>
    public static async Task RunOursAsync(int runs)
    {
        using var folder = new TempFolder();
        var source = folder.RandomFile("bench-1GiB.bin", Size, seed: 2026);
        var iperfBefore = await IperfAsync();
        Console.WriteLine(string.Create(C, $"iperf3 loopback before: {iperfBefore:F0} MiB/s; load average {LoadAverage()}"));
        await using var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [],
            new Dictionary<string, string> { ["Discovery__Enabled"] = "false", ["Chord__JoinWait"] = "00:00:00", ["Logging__LogLevel__Default"] = "Warning" });
        using var http = BenchPeerKey.Authorized(new HttpClient { Timeout = TimeSpan.FromMinutes(10) });
        await WaitAsync(async () => (await http.GetAsync(node.Url + "/readyz")).IsSuccessStatusCode, "the chord node");
        for (var run = 1; run <= runs; run++)
        {
            var r = await OursAsync(folder, source, node, http, $"run{run}-");
            Console.WriteLine(string.Create(C, $"run {run}: {r.MiBps:F0} MiB/s ({r.MiBps / iperfBefore:F2} of loopback), {r.Seconds:F2} s, leecher peak RSS {Mb(r.PeakRssBytes)}; load average {LoadAverage()}"));
            var floor = await FloorAsync(folder, source);
            Console.WriteLine(string.Create(C, $"run {run}: the floor (transfer_floor.py) {floor.MiBps:F0} MiB/s ({floor.MiBps / iperfBefore:F2} of loopback; passes {floor.PassList}), CPU per GiB: sender {floor.SenderCpu:F2} s, receiver {floor.ReceiverCpu:F2} s"));
            foreach (var side in new[] { "our-seeder", "our-leecher" }) Directory.Delete(folder.Sub($"run{run}-{side}"), recursive: true);
        }
        var iperfAfter = await IperfAsync();
        Console.WriteLine(string.Create(C, $"iperf3 loopback after: {iperfAfter:F0} MiB/s; load average {LoadAverage()}"));
    }

    /// <summary>With BENCH_SMAPS_DIR set, keeps a peer's memory map (/proc/PID/smaps) there: the leecher's before and
    /// after the download, the seeder's after publishing and after the download, to see which mappings a peak RSS
    /// is made of.</summary>
    private static void SaveMemoryMap(int pid, string role, string name)
    {
        if (Environment.GetEnvironmentVariable("BENCH_SMAPS_DIR") is not { Length: > 0 } directory) return;
        Directory.CreateDirectory(directory);
        File.Copy($"/proc/{pid}/smaps", Path.Combine(directory, $"{role}-{name}.smaps"), overwrite: true);
    }

    internal static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static async Task<Result> OursAsync(TempFolder folder, string source, ServiceProcess node, HttpClient http, string prefix = "")
    {
        Dictionary<string, string> PeerEnvironment(string storage) => new()
        {
            ["Discovery__Enabled"] = "false",
            ["Tracker__Seeds__0"] = node.Url,
            ["Peer__StoragePath"] = storage,
            ["Peer__ApiKey"] = BenchPeerKey.Value,
            ["Peer__SwarmPollInterval"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var seeder = ServiceProcess.Start("peer", ServiceProcess.FreePort(), [], PeerEnvironment(folder.Sub(prefix + "our-seeder")));
        await using var leecher = ServiceProcess.Start("peer", ServiceProcess.FreePort(), [], PeerEnvironment(folder.Sub(prefix + "our-leecher")));
        foreach (var peer in new[] { seeder, leecher })
            await WaitAsync(async () => (await http.GetAsync(peer.Url + "/readyz")).IsSuccessStatusCode, peer.Name);

        Console.WriteLine("ours: publishing (upload and hashing, not timed)…");
        using var form = new MultipartFormDataContent();
        var content = new StreamContent(File.OpenRead(source));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", Path.GetFileName(source));
        using var published = await http.PostAsync(seeder.Url + "/api/files", form);
        published.EnsureSuccessStatusCode();
        var infoHash = JsonDocument.Parse(await published.Content.ReadAsStringAsync()).RootElement.GetProperty("infoHash").GetString()!;
        // As for the real pairs, the clock starts once the tracker counts the seeder (its announce after the publish).
        await WaitForSeedersAsync(http, node.Url, BitTorrent.Shared.Identifiers.Id160.Parse(infoHash), 1, () => { });

        Console.WriteLine($"ours: leecher peak RSS before the download {Mb(PeakRss(leecher.Pid))}; seeder peak RSS while publishing {Mb(PeakRss(seeder.Pid))}, RSS once published {Mb(Rss(seeder.Pid))}");
        ResetPeakRss(seeder.Pid); // from here the seeder's peak is its peak during the download
        SaveMemoryMap(leecher.Pid, "leecher", prefix + "before");
        SaveMemoryMap(seeder.Pid, "seeder", prefix + "published");
        var cpuBefore = (Cpu(seeder.Pid), Cpu(leecher.Pid));
        var clock = Stopwatch.StartNew();
        using var start = await http.PostAsJsonAsync(leecher.Url + "/api/downloads", new { infoHash });
        start.EnsureSuccessStatusCode();
        var accepted = clock.Elapsed.TotalSeconds;
        var firstBytes = 0.0;
        while (true)
        {
            // The list's snapshot, as the UI reads it: GET /api/downloads/{id} builds the details on the engine thread.
            var download = JsonDocument.Parse(await http.GetStringAsync($"{leecher.Url}/api/downloads")).RootElement[0];
            var state = download.GetProperty("state").GetString();
            if (firstBytes == 0 && download.TryGetProperty("bytesReceived", out var received) && received.GetInt64() > 0) firstBytes = clock.Elapsed.TotalSeconds;
            if (state == "completed") break;
            if (state == "failed") throw new InvalidOperationException("our download failed: " + download.GetProperty("error").GetString());
            if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("our download took over 5 minutes");
            await Task.Delay(20);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        SaveMemoryMap(leecher.Pid, "leecher", prefix + "after");
        SaveMemoryMap(seeder.Pid, "seeder", prefix + "after");
        Console.WriteLine(string.Create(C, $"ours: download accepted after {accepted:F2} s, first bytes seen by {firstBytes:F2} s, done at {seconds:F2} s"));
        Console.WriteLine(string.Create(C, $"ours: CPU during the transfer (s per GiB): seeder {Cpu(seeder.Pid) - cpuBefore.Item1:F2} s, leecher {Cpu(leecher.Pid) - cpuBefore.Item2:F2} s; seeder peak RSS during the download {Mb(PeakRss(seeder.Pid))}"));
        return new Result("ours → ours", seconds, PeakRss(leecher.Pid), "peer processes, REST-driven");
    }

    /// <summary>
    /// Runs <c>bench/real-clients/transfer_floor.py</c> on the same file (read, send
    /// over loopback TCP, receive, SHA-1, write to a new file), twice; the faster pass counts.
    /// </summary>
    private static async Task<FloorRun> FloorAsync(TempFolder folder, string source)
    {
        var script = Path.Combine(ServiceProcess.RepositoryRoot(), "bench", "real-clients", "transfer_floor.py");
        var output = await ExternalProgram.RunAsync("/usr/bin/python3", [script, source, Path.Combine(folder.Path, "floor.bin")], TimeSpan.FromMinutes(5));
        var result = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1]).RootElement;
        return new FloorRun(result.GetProperty("seconds").GetDouble(), result.GetProperty("senderCpu").GetDouble(), result.GetProperty("receiverCpu").GetDouble(),
            [.. result.GetProperty("passes").EnumerateArray().Select(p => p.GetDouble())]);
    }

    private static async Task<Result> Aria2Async(TempFolder folder, string source, string announce, HttpClient http, string tracker)
    {
        var torrent = await MakeTorrentAsync(folder, source, announce, "aria2");
        string[] common = ["--enable-dht=false", "--enable-dht6=false", "--enable-peer-exchange=false", "--bt-enable-lpd=false",
            "--disable-ipv6=true", "--interface=127.0.0.1", "--summary-interval=0", "--console-log-level=warn",
            "--bt-tracker-connect-timeout=5", "--file-allocation=none", "--auto-file-renaming=false", "--allow-overwrite=true"];
        Console.WriteLine("aria2: seeder checking the file (not timed)…");
        await using var seeder = ExternalProgram.Start("aria2c",
            [.. common, $"--listen-port={ServiceProcess.FreePort()}", "--check-integrity=true", "--seed-ratio=0.0", "--seed-time=30", $"--dir={Path.GetDirectoryName(source)}", torrent]);
        await WaitForSeederAsync(http, tracker, torrent, seeder);
        var target = folder.Sub("aria2-leecher");
        var clock = Stopwatch.StartNew();
        await using var leecher = ExternalProgram.Start("aria2c",
            [.. common, $"--listen-port={ServiceProcess.FreePort()}", "--seed-time=0", "--bt-max-peers=5", $"--dir={target}", torrent]);
        var peak = await WatchUntilExitAsync(leecher, TimeSpan.FromMinutes(5));
        var seconds = clock.Elapsed.TotalSeconds;
        if (leecher.ExitCode != 0) return new Result("aria2 → aria2", 0, peak, "failed: " + leecher.Output.Trim().Split('\n').LastOrDefault());
        return new Result("aria2 → aria2", seconds, peak, $"aria2c {Aria2Version()}");
    }

    private static async Task<Result> LibtorrentAsync(TempFolder folder, string source, string announce, HttpClient http, string tracker)
    {
        var script = Path.Combine(ServiceProcess.RepositoryRoot(), "bench", "real-clients", "libtorrent_client.py");
        var torrent = await MakeTorrentAsync(folder, source, announce, "libtorrent");
        await using var seeder = ExternalProgram.Start("/usr/bin/python3", [script, "seed", torrent, Path.GetDirectoryName(source)!, ServiceProcess.FreePort().ToString(C)]);
        await WaitForSeederAsync(http, tracker, torrent, seeder);
        var target = folder.Sub("libtorrent-leecher");
        var clock = Stopwatch.StartNew();
        await using var leecher = ExternalProgram.Start("/usr/bin/python3", [script, "leech", torrent, target, ServiceProcess.FreePort().ToString(C)]);
        var peak = await WatchUntilExitAsync(leecher, TimeSpan.FromMinutes(5));
        var seconds = clock.Elapsed.TotalSeconds;
        if (leecher.ExitCode != 0 || !leecher.Output.Contains("done", StringComparison.Ordinal))
            return new Result("libtorrent → libtorrent", 0, peak, "failed: " + leecher.Output.Trim().Split('\n').LastOrDefault());
        return new Result("libtorrent → libtorrent", seconds, peak, "python3-libtorrent (its mmap'd file pages count in RSS)");
    }

    internal static async Task<string> MakeTorrentAsync(TempFolder folder, string source, string announce, string name, int pieceLengthLog2 = 20)
    {
        var torrent = Path.Combine(folder.Path, name + ".torrent");
        await ExternalProgram.RunAsync("mktorrent", ["-a", announce, "-l", pieceLengthLog2.ToString(C), "-o", torrent, source], TimeSpan.FromMinutes(2));
        return torrent;
    }

    /// <summary>Waits until the tracker's scrape counts a seeder for the torrent.</summary>
    private static async Task WaitForSeederAsync(HttpClient http, string tracker, string torrent, ExternalProgram seeder) =>
        await WaitForSeedersAsync(http, tracker, InfoHashOf(await File.ReadAllBytesAsync(torrent)), 1, () =>
        {
            if (seeder.HasExited) throw new InvalidOperationException("the seeder stopped:\n" + seeder.Output);
        });

    internal static BitTorrent.Shared.Identifiers.Id160 InfoHashOf(byte[] torrent)
    {
        var info = (BitTorrent.Shared.Bencode.BDictionary)BitTorrent.Shared.Bencode.BencodeReader.Decode(torrent);
        return BitTorrent.Shared.Identifiers.Id160.Hash(torrent.AsSpan()[info.Require<BitTorrent.Shared.Bencode.BDictionary>("info").Source]);
    }

    /// <summary>Waits until the tracker's scrape counts at least <paramref name="count"/> seeders of the torrent.</summary>
    internal static async Task WaitForSeedersAsync(HttpClient http, string tracker, BitTorrent.Shared.Identifiers.Id160 infoHash, int count, Action check)
    {
        var escaped = string.Concat(infoHash.ToByteArray().Select(b => "%" + b.ToString("x2", C)));
        await WaitAsync(async () =>
        {
            check();
            var reply = (BitTorrent.Shared.Bencode.BDictionary)BitTorrent.Shared.Bencode.BencodeReader.Decode(await http.GetByteArrayAsync($"{tracker}/scrape?info_hash={escaped}"));
            var files = reply.Get<BitTorrent.Shared.Bencode.BDictionary>("files");
            return files?.FirstOrDefault().Value is BitTorrent.Shared.Bencode.BDictionary entry && entry.Get<BitTorrent.Shared.Bencode.BInteger>("complete")?.Value >= count;
        }, $"{count} seeder(s) to announce", TimeSpan.FromMinutes(3));
    }

    internal static async Task<long> WatchUntilExitAsync(ExternalProgram program, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long peak = 0;
        while (!program.HasExited)
        {
            peak = Math.Max(peak, PeakRss(program.Pid));
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the leecher ran too long:\n" + program.Output);
            await Task.Delay(50);
        }
        await program.WaitForExitAsync(CancellationToken.None);
        return peak;
    }

    /// <summary>User + system CPU seconds a process has used (from /proc/{pid}/stat).</summary>
    private static double Cpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], C) + long.Parse(fields[12], C)) / 100.0; // utime, stime in clock ticks (USER_HZ = 100)
    }

    /// <summary>A size in MB (the targets' unit, 10^6 bytes) with MiB beside it.</summary>
    private static string Mb(long bytes) => string.Create(C, $"{bytes / 1e6:F1} MB ({bytes / (double)(1 << 20):F1} MiB)");

    /// <summary>Resets the process's VmHWM to its current RSS (Linux: "5" into /proc/PID/clear_refs).</summary>
    private static void ResetPeakRss(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    /// <summary>VmHWM of a process: its peak resident set, in bytes (0 once it is gone).</summary>
    internal static long PeakRss(int pid) => StatusBytes(pid, "VmHWM:");

    /// <summary>VmRSS of a process: its resident set now, in bytes (0 once it is gone).</summary>
    internal static long Rss(int pid) => StatusBytes(pid, "VmRSS:");

    /// <summary>A size line of /proc/PID/status ("VmRSS:   1234 kB"), in bytes.</summary>
    private static long StatusBytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], C) * 1024;
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private static async Task<double> IperfAsync()
    {
        var port = ServiceProcess.FreePort();
        await using var server = ExternalProgram.Start("iperf3", ["-s", "-1", "-B", "127.0.0.1", "-p", port.ToString(C)]);
        await Task.Delay(500);
        var json = await ExternalProgram.RunAsync("iperf3", ["-c", "127.0.0.1", "-p", port.ToString(C), "-t", "5", "-J"], TimeSpan.FromSeconds(30));
        var bits = JsonDocument.Parse(json).RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        return bits / 8 / (1024 * 1024);
    }

    private static string Aria2Version()
    {
        var output = ExternalProgram.RunAsync("aria2c", ["--version"], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        return output.Split('\n')[0].Replace("aria2 version ", "", StringComparison.Ordinal).Trim();
    }

    internal static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited too long for {what}");
            await Task.Delay(200);
        }
    }
}
