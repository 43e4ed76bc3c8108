using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Bencode;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Interop;

/// <summary>
/// aria2 (from Debian) and the gateway's web seed: our torrents list <c>{gateway}/files/{infoHash}/</c> as their BEP 19
/// <c>url-list</c>, so a client that reaches no peer downloads from the gateway, and the url is a plain download too.
/// </summary>
public sealed class WebSeedInteropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Aria2_downloads_our_torrent_from_the_gateway_web_seed_with_no_peer_reachable_and_the_files_url_as_a_plain_url()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var gateway = await GatewayProcess.StartAsync(ring);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"),
            new Dictionary<string, string> { ["Peer__WebSeedUrl"] = gateway.Url + "/files" });
        var source = folder.RandomFile("web-seeded.bin", 2L * 1024 * 1024 + 999, seed: 71);
        var file = await peer.PublishAsync(source);
        var torrentBytes = await peer.Http.GetByteArrayAsync($"api/files/{file.InfoHash}/torrent");
        var urlList = Assert.IsType<BList>(((BDictionary)BencodeReader.Decode(torrentBytes))["url-list"]);
        Assert.Equal($"{gateway.Url}/files/{file.InfoHash}/", Assert.IsType<BString>(Assert.Single(urlList)).Text);
        var torrent = Path.Combine(folder.Path, "web-seeded.torrent");
        await File.WriteAllBytesAsync(torrent, torrentBytes);

        // Every tracker removed and DHT, PEX and LPD off: aria2 finds no peer, so every byte comes from the web seed.
        var target = folder.Sub("from-web-seed");
        var log = Path.Combine(folder.Path, "aria2.log");
        var console = await ExternalProgram.RunAsync("aria2c",
        [
            "--enable-dht=false", "--enable-dht6=false", "--enable-peer-exchange=false", "--bt-enable-lpd=false", "--bt-exclude-tracker=*",
            "--disable-ipv6=true", $"--listen-port={ServiceProcess.FreePort()}", "--seed-time=0", "--summary-interval=0", "--file-allocation=none",
            "--allow-overwrite=true", "--auto-file-renaming=false", $"--log={log}", "--log-level=info", $"--dir={target}", torrent,
        ], TimeSpan.FromSeconds(90));
        output.WriteLine(console);
        Assert.Equal(TempFolder.Sha256(source), TempFolder.Sha256(Path.Combine(target, "web-seeded.bin")));
        var requests = File.ReadAllLines(log).Where(l => l.Contains($"/files/{file.InfoHash}/web-seeded.bin", StringComparison.Ordinal)).ToList();
        output.WriteLine(string.Join('\n', requests.Take(5)));
        Assert.NotEmpty(requests);

        // The gateway's url as a plain download.
        var plain = folder.Sub("plain-url");
        output.WriteLine(await ExternalProgram.RunAsync("aria2c",
        [
            "--disable-ipv6=true", "--summary-interval=0", "--file-allocation=none", "--allow-overwrite=true", "--auto-file-renaming=false",
            $"--dir={plain}", "--out=plain.bin", $"{gateway.Url}/files/{file.InfoHash}",
        ], TimeSpan.FromSeconds(60)));
        Assert.Equal(TempFolder.Sha256(source), TempFolder.Sha256(Path.Combine(plain, "plain.bin")));
    }
}
