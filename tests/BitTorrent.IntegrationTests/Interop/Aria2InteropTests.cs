using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Interop;

/// <summary>
/// A real BitTorrent client (aria2 from Debian) against our tracker and our peers, both ways.
/// aria2 runs bound to 127.0.0.1 with DHT, peer exchange and local peer discovery off, so our
/// tracker is the only way it finds anyone.
/// </summary>
public sealed class Aria2InteropTests(ITestOutputHelper output)
{
    private static IEnumerable<string> Aria2Options(int listenPort) =>
    [
        "--enable-dht=false", "--enable-dht6=false", "--enable-peer-exchange=false", "--bt-enable-lpd=false",
        "--disable-ipv6=true", "--interface=127.0.0.1", $"--listen-port={listenPort}",
        "--bt-tracker-connect-timeout=5", "--bt-tracker-timeout=5", "--summary-interval=0",
        "--console-log-level=notice", "--file-allocation=none", "--allow-overwrite=true", "--auto-file-renaming=false",
    ];

    [Fact]
    public async Task Aria2_downloads_a_file_our_peer_published_through_our_announce()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var source = folder.RandomFile("for-aria2.bin", 3L * 1024 * 1024 + 12345, seed: 21);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        var published = await peer.PublishAsync(source);

        var torrent = Path.Combine(folder.Path, "from-our-peer.torrent");
        await File.WriteAllBytesAsync(torrent, await peer.Http.GetByteArrayAsync($"api/files/{published.InfoHash}/torrent"));
        var target = folder.Sub("aria2-download");
        var log = await ExternalProgram.RunAsync("aria2c",
            [.. Aria2Options(ServiceProcess.FreePort()), "--seed-time=0", $"--dir={target}", torrent], TimeSpan.FromSeconds(90));
        output.WriteLine(log);

        Assert.Equal(TempFolder.Sha256(source), TempFolder.Sha256(Path.Combine(target, "for-aria2.bin")));
    }

    [Fact]
    public async Task Aria2_downloads_a_file_from_our_peer_given_only_its_magnet_link()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var source = folder.RandomFile("by-magnet.bin", 2L * 1024 * 1024 + 4321, seed: 23);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        var published = await peer.PublishAsync(source);
        Assert.StartsWith($"magnet:?xt=urn:btih:{published.InfoHash}", published.Magnet, StringComparison.Ordinal);

        // No .torrent: aria2 fetches the metadata from our peer (BEP 9 over BEP 10), found through the link's tracker.
        var target = folder.Sub("aria2-download");
        var log = await ExternalProgram.RunAsync("aria2c",
            [.. Aria2Options(ServiceProcess.FreePort()), "--seed-time=0", "--bt-save-metadata=false", $"--dir={target}", published.Magnet], TimeSpan.FromSeconds(90));
        output.WriteLine(log);

        Assert.Equal(TempFolder.Sha256(source), TempFolder.Sha256(Path.Combine(target, "by-magnet.bin")));
    }

    [Fact]
    public async Task Our_peer_downloads_a_file_that_aria2_seeds_from_a_mktorrent_torrent_announced_to_our_tracker()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var seedFolder = folder.Sub("aria2-seed");
        var source = Path.Combine(seedFolder, "from-aria2.bin");
        File.Move(folder.RandomFile("from-aria2.bin", 5L * 1024 * 1024 + 777, seed: 22), source);
        var torrent = Path.Combine(folder.Path, "made-by-mktorrent.torrent");
        await ExternalProgram.RunAsync("mktorrent",
            ["-a", ring.Nodes[1].Url + "/announce", "-l", "18", "-o", torrent, source], TimeSpan.FromSeconds(30));

        await using var aria2 = ExternalProgram.Start("aria2c",
            [.. Aria2Options(ServiceProcess.FreePort()), "--check-integrity=true", "--seed-ratio=0.0", "--seed-time=10", $"--dir={seedFolder}", torrent]);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));

        // aria2 announces itself to our tracker; then our peer takes the torrent and finds it there.
        var infoHash = await InteropDownloads.StartWhenSeededAsync(peer, torrent, () => aria2.HasExited ? aria2.Output : null);

        await peer.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(TempFolder.Sha256(source), await peer.ContentSha256Async(infoHash));
        output.WriteLine(aria2.Output);
    }

    [Fact]
    public async Task Aria2_downloads_a_folder_our_peer_published_with_every_files_sha256_equal()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var files = new (string Relative, long Length)[] { ("tree/a.bin", 300_001), ("tree/sub/empty.txt", 0), ("tree/sub/deep/b.bin", 1_000_000) };
        var sources = files.Select((f, i) => (Path: folder.RandomFile($"src-{i}", f.Length, seed: 30 + i), f.Relative)).ToList();
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        using var response = await peer.PostFolderAsync(sources);
        response.EnsureSuccessStatusCode();
        var infoHash = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("infoHash").GetString()!;

        var torrent = Path.Combine(folder.Path, "folder.torrent");
        await File.WriteAllBytesAsync(torrent, await peer.Http.GetByteArrayAsync($"api/files/{infoHash}/torrent"));
        var target = folder.Sub("aria2-download");
        var log = await ExternalProgram.RunAsync("aria2c",
            [.. Aria2Options(ServiceProcess.FreePort()), "--seed-time=0", $"--dir={target}", torrent], TimeSpan.FromSeconds(90));
        output.WriteLine(log);

        foreach (var (path, relative) in sources)
            Assert.Equal(TempFolder.Sha256(path), TempFolder.Sha256(Path.Combine([target, .. relative.Split('/')])));
    }

    [Fact]
    public async Task Our_peer_downloads_a_mktorrent_folder_that_aria2_seeds()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var seedFolder = folder.Sub("aria2-seed");
        var root = Path.Combine(seedFolder, "made-elsewhere");
        Directory.CreateDirectory(Path.Combine(root, "inner"));
        var files = new (string Relative, long Length)[] { ("one.bin", 700_000), ("inner/two.bin", 123_457), ("inner/three.bin", 2_000_000) };
        foreach (var (relative, length) in files)
            File.Move(folder.RandomFile(relative.Replace('/', '-'), length, seed: 40 + (int)(length % 7)), Path.Combine(root, relative));
        var torrent = Path.Combine(folder.Path, "folder-by-mktorrent.torrent");
        await ExternalProgram.RunAsync("mktorrent", ["-a", ring.Nodes[1].Url + "/announce", "-l", "18", "-o", torrent, root], TimeSpan.FromSeconds(30));

        await using var aria2 = ExternalProgram.Start("aria2c",
            [.. Aria2Options(ServiceProcess.FreePort()), "--check-integrity=true", "--seed-ratio=0.0", "--seed-time=20", $"--dir={seedFolder}", torrent]);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        var infoHash = await InteropDownloads.StartWhenSeededAsync(peer, torrent, () => aria2.HasExited ? aria2.Output : null);

        await peer.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(90));
        var details = await peer.FileDetailsAsync(infoHash);
        foreach (var (relative, _) in files)
        {
            var entry = details.Files.Single(f => f.Path == relative);
            Assert.Equal(TempFolder.Sha256(Path.Combine(root, relative)), await peer.Sha256Async(entry.ContentUrl!));
        }
        output.WriteLine(aria2.Output);
    }
}
