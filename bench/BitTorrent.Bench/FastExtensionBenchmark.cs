using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Bench;

/// <summary>
/// BEP 6 on and off (<c>Transfer:FastExtension</c>), the same downloads in one run: our seeder with a short request
/// queue (16) against our leecher's pipeline of 256 (without the extension the requests over the bound are dropped
/// silently and wait for the piece timeout; with it they are rejected and asked again at once), and 4 MiB both ways
/// between our engine and libtorrent (python3-libtorrent, which speaks BEP 6). Engines run in this process on 127.0.0.1.
/// </summary>
internal static class FastExtensionBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);

    private sealed record Run(string Scenario, bool Fast, double Seconds, string Note);

    public static async Task RunAsync(BenchmarkReport report)
    {
        using var folder = new TempFolder();
        var runs = new List<Run>();
        foreach (var fast in new[] { true, false, true, false })
            runs.Add(await ShortQueueAsync(folder, fast, 8L * 1024 * 1024));
        foreach (var fast in new[] { true, false })
        {
            runs.Add(await FromLibtorrentAsync(folder, fast));
            runs.Add(await ToLibtorrentAsync(folder, fast));
        }
        foreach (var r in runs) Console.WriteLine(string.Create(C, $"{r.Scenario}, fast {(r.Fast ? "on" : "off")}: {r.Seconds:F2} s {r.Note}"));

        var body = new StringBuilder();
        body.AppendLine("## BEP 6 (fast extension) on and off").AppendLine();
        body.AppendLine("Command: `scripts/bench.sh fast`. Each row is one download, in this order in one run, with `Transfer:FastExtension` set the same on both of our sides (libtorrent always offers BEP 6, so with ours off the connection is plain BEP 3). Time is from the download's start to its last verified piece (libtorrent: its own `done` time after adding the torrent); runs are capped at 60 s. Short queue: our seeder takes 16 queued requests per peer (`Transfer:MaxQueuedRequestsPerPeer`), our leecher pipelines 256, piece timeout 5 s, 8 MiB.").AppendLine();
        body.AppendLine("| download | fast extension | seconds | note |").AppendLine("| --- | --- | ---: | --- |");
        foreach (var r in runs)
            body.AppendLine(C, $"| {r.Scenario} | {(r.Fast ? "on" : "off")} | {(r.Seconds > 0 ? r.Seconds.ToString("F2", C) : "–")} | {r.Note} |");
        report.WriteSection("fast-extension", body.ToString());
    }

    private static TransferEngine Engine(TempFolder folder, string name, bool fast, Action<TransferEngineOptions>? configure = null)
    {
        var options = new TransferEngineOptions
        {
            BindAddress = "127.0.0.1",
            StateDirectory = folder.Sub(name + "-state"),
            FastExtension = fast,
            PieceTimeout = TimeSpan.FromSeconds(5),
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        return new TransferEngine(options).Start();
    }

    private static async Task<Run> ShortQueueAsync(TempFolder folder, bool fast, long size)
    {
        var name = $"queue-{Guid.NewGuid():N}"[..14];
        var source = folder.RandomFile(name + ".bin", size, seed: 6);
        var torrent = TorrentMetainfo.CreateFromFile(source, "http://127.0.0.1:1/announce");
        await using var seeder = Engine(folder, name + "-seeder", fast, o => o.MaxQueuedRequestsPerPeer = 16);
        await seeder.SeedAsync(torrent, source);
        await using var leecher = Engine(folder, name + "-leecher", fast);
        var clock = Stopwatch.StartNew();
        await leecher.StartDownloadAsync(torrent, Path.Combine(folder.Sub(name + "-target"), "data.bin"), [seeder.LocalEndPoint]);
        var (seconds, note) = await WaitAsync(leecher, torrent, clock);
        return new Run("ours → ours, short queue, 8 MiB", fast, seconds, $"{note}; rejects received {leecher.Counters!.RejectsReceived}");
    }

    private static async Task<Run> FromLibtorrentAsync(TempFolder folder, bool fast)
    {
        var name = $"ltseed-{Guid.NewGuid():N}"[..15];
        var seedFolder = folder.Sub(name);
        var source = Path.Combine(seedFolder, "data.bin");
        File.Move(folder.RandomFile(name + ".bin", 4L * 1024 * 1024, seed: 7), source);
        var torrent = TorrentMetainfo.CreateFromFile(source, "http://127.0.0.1:1/announce");
        var torrentPath = Path.Combine(folder.Path, name + ".torrent");
        await File.WriteAllBytesAsync(torrentPath, torrent.ToBytes());
        var port = ServiceProcess.FreePort();
        await using var libtorrent = ExternalProgram.Start("/usr/bin/python3", [Script, "seed", torrentPath, seedFolder, port.ToString(C)]);
        await Task.Delay(1000); // its listener
        await using var leecher = Engine(folder, name + "-leecher", fast);
        var clock = Stopwatch.StartNew();
        await leecher.StartDownloadAsync(torrent, Path.Combine(folder.Sub(name + "-target"), "data.bin"), [new IPEndPoint(IPAddress.Loopback, port)]);
        var (seconds, note) = await WaitAsync(leecher, torrent, clock);
        var c = leecher.Counters!;
        return new Run("libtorrent → ours, 4 MiB", fast, seconds, $"{note}; handshakes negotiated {c.FastNegotiated}, without {c.FastPeerWithout + c.FastDisabled}");
    }

    private static async Task<Run> ToLibtorrentAsync(TempFolder folder, bool fast)
    {
        var name = $"ltleech-{Guid.NewGuid():N}"[..16];
        var source = folder.RandomFile(name + ".bin", 4L * 1024 * 1024, seed: 8);
        var torrent = TorrentMetainfo.CreateFromFile(source, "http://127.0.0.1:1/announce");
        var torrentPath = Path.Combine(folder.Path, name + ".torrent");
        await File.WriteAllBytesAsync(torrentPath, torrent.ToBytes());
        await using var seeder = Engine(folder, name + "-seeder", fast);
        await seeder.SeedAsync(torrent, source);
        Environment.SetEnvironmentVariable("LT_PEER", seeder.LocalEndPoint.ToString());
        try
        {
            var log = await ExternalProgram.RunAsync("/usr/bin/python3", [Script, "leech", torrentPath, folder.Sub(name + "-target"), ServiceProcess.FreePort().ToString(C)], Cap);
            var done = log.Split('\n').FirstOrDefault(l => l.StartsWith("done ", StringComparison.Ordinal));
            var c = seeder.Counters!;
            var note = $"handshakes negotiated {c.FastNegotiated}, without {c.FastPeerWithout + c.FastDisabled}";
            return done is null ? new Run("ours → libtorrent, 4 MiB", fast, 0, "did not finish: " + note) : new Run("ours → libtorrent, 4 MiB", fast, double.Parse(done[5..], C), note);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LT_PEER", null);
        }
    }

    private static string Script => Path.Combine(ServiceProcess.RepositoryRoot(), "bench", "real-clients", "libtorrent_client.py");

    private static async Task<(double Seconds, string Note)> WaitAsync(TransferEngine leecher, TorrentMetainfo torrent, Stopwatch clock)
    {
        while (clock.Elapsed < Cap)
        {
            var snapshot = leecher.GetDownload(torrent.InfoHash);
            if (snapshot?.State == DownloadState.Completed) return (clock.Elapsed.TotalSeconds, "completed");
            await Task.Delay(10);
        }
        var last = leecher.GetDownload(torrent.InfoHash);
        return (0, $"not done after {Cap.TotalSeconds:F0} s ({last?.PiecesDone}/{last?.PieceCount} pieces)");
    }
}
