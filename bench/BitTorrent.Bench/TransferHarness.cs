using System.Diagnostics;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Bench;

/// <summary>
/// Transfer harness: one seeder engine and one leecher engine in this process over 127.0.0.1.
/// Usage: BitTorrent.Bench transfer-harness [size MiB = 1024] [window = 16] [requests per peer = 256].
/// Prints throughput, CPU time and this process's peak RSS (both engines together).
/// </summary>
public static class TransferHarness
{
    public static async Task RunAsync(string[] args)
    {
        var sizeMiB = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1024;
        var window = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 16;
        var requests = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 256;

        var root = Path.Combine(Path.GetTempPath(), "bt-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var source = Path.Combine(root, "source.bin");
            await using (var stream = File.Create(source))
            {
                var buffer = new byte[1 << 20];
                for (var i = 0; i < sizeMiB; i++)
                {
                    Random.Shared.NextBytes(buffer);
                    await stream.WriteAsync(buffer);
                }
            }
            var hashing = Stopwatch.StartNew();
            var torrent = TorrentMetainfo.CreateFromFile(source, "http://127.0.0.1/announce");
            Console.WriteLine($"hashed {sizeMiB} MiB into {torrent.PieceCount} pieces of {torrent.PieceLength / 1024} KiB in {hashing.Elapsed.TotalSeconds:F2} s");

            await using var seeder = new TransferEngine(new TransferEngineOptions()).Start();
            await using var leecher = new TransferEngine(new TransferEngineOptions
            {
                Window = window,
                MaxRequestsPerPeer = requests,
                StateDirectory = Path.Combine(root, "state"),
            }).Start();
            await seeder.SeedAsync(torrent, source);

            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            await leecher.StartDownloadAsync(torrent, Path.Combine(root, "target.bin"), [seeder.LocalEndPoint]);
            DownloadSnapshot snapshot;
            while ((snapshot = leecher.GetDownload(torrent.InfoHash)!).State != DownloadState.Completed)
            {
                if (snapshot.State == DownloadState.Failed) throw new InvalidOperationException(snapshot.Error);
                await Task.Delay(10);
            }
            var seconds = clock.Elapsed.TotalSeconds;
            using var process = Process.GetCurrentProcess();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            var allocatedKiB = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1024;
            // CPU seconds per GiB (both engines) is steadier than wall time on a shared machine.
            Console.WriteLine($"{sizeMiB} MiB in {seconds:F2} s = {sizeMiB / seconds:F0} MiB/s, CPU {cpu:F2} s ({cpu * 1024 / sizeMiB:F2} s/GiB); window {window}, {requests} requests/peer; peak RSS {process.PeakWorkingSet64 / (1024 * 1024)} MiB; managed allocations {allocatedKiB} KiB");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
