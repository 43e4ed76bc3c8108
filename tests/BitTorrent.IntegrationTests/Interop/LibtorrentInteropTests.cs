using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Torrents;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Interop;

/// <summary>
/// libtorrent (Debian's python3-libtorrent, driven by bench/real-clients/libtorrent_client.py) against our
/// tracker and our peers, both ways. It listens on 127.0.0.1 only, with DHT, local service discovery, UPnP and
/// NAT-PMP off, so our tracker is the only way it finds anyone.
/// </summary>
public sealed class LibtorrentInteropTests(ITestOutputHelper output)
{
    private static readonly string Client = Path.Combine(ServiceProcess.RepositoryRoot(), "bench", "real-clients", "libtorrent_client.py");

    [Fact]
    public async Task Libtorrent_downloads_a_file_our_peer_published_through_our_announce()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var source = folder.RandomFile("for-libtorrent.bin", 4L * 1024 * 1024 + 4321, seed: 31);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        var published = await peer.PublishAsync(source);

        var torrent = Path.Combine(folder.Path, "from-our-peer.torrent");
        await File.WriteAllBytesAsync(torrent, await peer.Http.GetByteArrayAsync($"api/files/{published.InfoHash}/torrent"));
        var target = folder.Sub("libtorrent-download");
        var log = await ExternalProgram.RunAsync("/usr/bin/python3",
            [Client, "leech", torrent, target, ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(90));
        output.WriteLine(log);

        Assert.Contains("done", log, StringComparison.Ordinal);
        Assert.Equal(TempFolder.Sha256(source), TempFolder.Sha256(Path.Combine(target, "for-libtorrent.bin")));
        await AssertFastExtensionNegotiatedAsync(peer);
    }

    [Fact]
    public async Task Libtorrent_downloads_a_file_from_our_peer_given_only_its_magnet_link()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var source = folder.RandomFile("libtorrent-by-magnet.bin", 2L * 1024 * 1024 + 99, seed: 34);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        var published = await peer.PublishAsync(source);

        var target = folder.Sub("libtorrent-download");
        var log = await ExternalProgram.RunAsync("/usr/bin/python3",
            [Client, "leech", published.Magnet, target, ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(90));
        output.WriteLine(log);

        Assert.Contains("done", log, StringComparison.Ordinal);
        Assert.Equal(TempFolder.Sha256(source), TempFolder.Sha256(Path.Combine(target, "libtorrent-by-magnet.bin")));
    }

    [Fact]
    public async Task Libtorrent_downloads_a_folder_our_peer_published_with_every_files_sha256_equal()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        // Sizes make pieces straddle files, and the nested file ends in a short last piece.
        var files = new (string Relative, long Length)[] { ("lt-tree/a.bin", 300_001), ("lt-tree/sub/b.bin", 17), ("lt-tree/sub/deep/c.bin", 1_000_000) };
        var sources = files.Select((f, i) => (Path: folder.RandomFile($"src-{i}", f.Length, seed: 40 + i), f.Relative)).ToList();
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        using var response = await peer.PostFolderAsync(sources);
        response.EnsureSuccessStatusCode();
        var infoHash = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("infoHash").GetString()!;

        var torrent = Path.Combine(folder.Path, "folder.torrent");
        await File.WriteAllBytesAsync(torrent, await peer.Http.GetByteArrayAsync($"api/files/{infoHash}/torrent"));
        var target = folder.Sub("libtorrent-download");
        var log = await ExternalProgram.RunAsync("/usr/bin/python3",
            [Client, "leech", torrent, target, ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(90));
        output.WriteLine(log);

        Assert.Contains("done", log, StringComparison.Ordinal);
        foreach (var (path, relative) in sources)
            Assert.Equal(TempFolder.Sha256(path), TempFolder.Sha256(Path.Combine([target, .. relative.Split('/')])));
    }

    [Fact]
    public async Task Our_peer_downloads_a_file_that_libtorrent_seeds_from_a_mktorrent_torrent_announced_to_our_tracker()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var seedFolder = folder.Sub("libtorrent-seed");
        var source = Path.Combine(seedFolder, "from-libtorrent.bin");
        File.Move(folder.RandomFile("from-libtorrent.bin", 6L * 1024 * 1024 + 99, seed: 32), source);
        var torrent = Path.Combine(folder.Path, "made-by-mktorrent.torrent");
        await ExternalProgram.RunAsync("mktorrent",
            ["-a", ring.Nodes[2].Url + "/announce", "-l", "18", "-o", torrent, source], TimeSpan.FromSeconds(30));

        await using var libtorrent = ExternalProgram.Start("/usr/bin/python3",
            [Client, "seed", torrent, seedFolder, ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture)]);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));

        var infoHash = await InteropDownloads.StartWhenSeededAsync(peer, torrent, () => libtorrent.HasExited ? libtorrent.Output : null);
        await peer.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(TempFolder.Sha256(source), await peer.ContentSha256Async(infoHash));
        output.WriteLine(libtorrent.Output);
        await AssertFastExtensionNegotiatedAsync(peer);
    }

    /// <summary>libtorrent offers BEP 6 and so do we: the peer's /metrics counts the handshakes on which both did.</summary>
    private static async Task AssertFastExtensionNegotiatedAsync(PeerProcess peer)
    {
        var metrics = PrometheusText.Parse(await peer.Http.GetStringAsync("metrics"));
        Assert.True(metrics.Sum("bittorrent_peer_fast_extension_total", ("bittorrent_fast_extension", "negotiated")) >= 1,
            "no handshake with libtorrent negotiated the fast extension");
        Assert.Equal(0, metrics.Sum("bittorrent_peer_fast_extension_total", ("bittorrent_fast_extension", "peer_without")));
    }

    [Fact]
    public async Task Our_peer_downloads_a_magnet_whose_metadata_only_a_libtorrent_seeder_has()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var seedFolder = folder.Sub("libtorrent-seed");
        var source = Path.Combine(seedFolder, "metadata-from-libtorrent.bin");
        File.Move(folder.RandomFile("metadata-from-libtorrent.bin", 3L * 1024 * 1024 + 555, seed: 33), source);
        var torrent = Path.Combine(folder.Path, "only-libtorrent-has-it.torrent");
        var announce = ring.Nodes[1].Url + "/announce";
        await ExternalProgram.RunAsync("mktorrent", ["-a", announce, "-l", "18", "-o", torrent, source], TimeSpan.FromSeconds(30));
        var made = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrent));
        var infoHash = made.InfoHash.ToString();

        await using var libtorrent = ExternalProgram.Start("/usr/bin/python3",
            [Client, "seed", torrent, seedFolder, ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture)]);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));

        // The torrent was never published to the DHT: only the magnet link and the libtorrent seeder know it.
        var magnet = $"magnet:?xt=urn:btih:{infoHash}&dn=metadata-from-libtorrent.bin&tr={Uri.EscapeDataString(announce)}";
        using var response = await peer.Http.PostAsJsonAsync("api/downloads", new { magnet });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<BitTorrent.Peer.Api.DownloadView>(ChordRing.Json))!;
        Assert.Equal("metadata", accepted.State);

        await peer.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(90));
        Assert.Equal(TempFolder.Sha256(source), await peer.ContentSha256Async(infoHash));
        // The .torrent our peer keeps carries the very info dictionary mktorrent made.
        var kept = TorrentMetainfo.Parse(await peer.Http.GetByteArrayAsync($"api/files/{infoHash}/torrent"));
        Assert.Equal(made.InfoDictionary.ToArray(), kept.InfoDictionary.ToArray());
        output.WriteLine(libtorrent.Output);
    }
}

/// <summary>Starting a download of a real client's torrent on our peer.</summary>
internal static class InteropDownloads
{
    /// <summary>
    /// Posts the .torrent to our peer until it accepts (the swarm is empty, "not available", until the real client
    /// has announced); returns the info-hash. <paramref name="stopped"/> returns the client's output once it has exited.
    /// </summary>
    public static async Task<string> StartWhenSeededAsync(PeerProcess peer, string torrent, Func<string?> stopped)
    {
        string? infoHash = null;
        await Eventually.TrueAsync(async () =>
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(torrent)), "torrent", Path.GetFileName(torrent) } };
            using var response = await peer.Http.PostAsync("api/downloads", form);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                infoHash = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<BitTorrent.Peer.Api.DownloadView>(response.Content, ChordRing.Json))!.Id;
                return true;
            }
            if (stopped() is { } log) throw new InvalidOperationException($"the real client stopped:\n{log}");
            return false;
        }, TimeSpan.FromSeconds(60), "our peer never saw the real client in the swarm");
        return infoHash!;
    }
}
