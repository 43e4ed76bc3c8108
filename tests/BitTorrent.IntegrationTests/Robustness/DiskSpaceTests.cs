using System.Diagnostics;
using System.Net;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Robustness;

/// <summary>A peer whose Storage is on a small disk (a tmpfs mounted for the test; the tests run as root).</summary>
public sealed class DiskSpaceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_download_larger_than_the_free_space_is_refused_up_front_with_507_and_a_smaller_one_still_completes()
    {
        using var folder = new TempFolder();
        using var disk = SmallDisk.Mount(folder.Sub("small-disk"), "4M");
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"));
        await using var downloader = await PeerProcess.StartAsync(ring, disk.Path);
        var big = folder.RandomFile("big.bin", 8L * 1024 * 1024, seed: 51);
        var small = folder.RandomFile("small.bin", 600_000, seed: 52);
        var bigHash = (await publisher.PublishAsync(big)).InfoHash;
        var smallHash = (await publisher.PublishAsync(small)).InfoHash;

        using (var refused = await downloader.StartDownloadAsync(bigHash))
        {
            Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Not enough disk space", problem.GetProperty("title").GetString());
            Assert.Matches("big.bin needs 8 MiB but only .* are free", problem.GetProperty("detail").GetString());
        }
        Assert.False(File.Exists(Path.Combine(disk.Path, "files", bigHash, "big.bin")));
        using (var missing = await downloader.Http.GetAsync($"api/downloads/{bigHash}"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using (var start = await downloader.StartDownloadAsync(smallHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await downloader.WaitForStateAsync(smallHash, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(TempFolder.Sha256(small), await downloader.ContentSha256Async(smallHash));
        await downloader.DisposeAsync(); // before the disk is unmounted
    }

    [Fact]
    public void A_write_on_a_full_disk_is_told_as_the_disk_is_full()
    {
        using var folder = new TempFolder();
        using var disk = SmallDisk.Mount(folder.Sub("full-disk"), "1M");
        var error = Assert.ThrowsAny<IOException>(() =>
        {
            using var file = File.OpenHandle(System.IO.Path.Combine(disk.Path, "filler.bin"), FileMode.Create, FileAccess.Write);
            RandomAccess.Write(file, new byte[2 * 1024 * 1024], 0);
        });
        Assert.True(BitTorrent.Peer.Downloads.DiskSpace.IsDiskFull(error), $"{error.HResult}: {error.Message}");
        Assert.StartsWith("the disk is full: ", BitTorrent.Peer.Downloads.DiskSpace.Describe(error), StringComparison.Ordinal);
        Assert.InRange(BitTorrent.Peer.Downloads.DiskSpace.FreeBytes(disk.Path), 0, 64 * 1024);
    }

    /// <summary>A tmpfs of a given size, unmounted when disposed; a machine where it cannot be mounted fails the test with the reason.</summary>
    private sealed class SmallDisk : IDisposable
    {
        private SmallDisk(string path) => Path = path;

        public string Path { get; }

        public static SmallDisk Mount(string path, string size)
        {
            var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
            if (code != 0)
                throw new InvalidOperationException($"Could not mount a {size} tmpfs at {path} (the disk tests need root): {error}");
            return new SmallDisk(path);
        }

        public void Dispose() => Run("umount", "-l", Path);

        private static (int Code, string Error) Run(string program, params string[] arguments)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in arguments) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error);
        }
    }
}
