using System.Globalization;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Interop;

/// <summary>
/// Transmission 3 (Debian's transmission-cli) seeding to our peer through our tracker. Its settings turn DHT,
/// peer exchange, local peer discovery, uTP and port mapping off and bind it to 127.0.0.1. Transmission never
/// dials peers at 127.x that a tracker hands it, so on one machine it can only be the side that is dialled:
/// the seeder, which our peer connects to.
/// </summary>
public sealed class TransmissionInteropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Our_peer_downloads_a_file_that_transmission_seeds_and_announces_to_our_tracker()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var seedFolder = folder.Sub("transmission-seed");
        var source = Path.Combine(seedFolder, "from-transmission.bin");
        File.Move(folder.RandomFile("from-transmission.bin", 5L * 1024 * 1024 + 5, seed: 41), source);
        var torrent = Path.Combine(folder.Path, "for-transmission.torrent");
        await ExternalProgram.RunAsync("mktorrent",
            ["-a", ring.Nodes[0].Url + "/announce", "-l", "18", "-o", torrent, source], TimeSpan.FromSeconds(30));

        var config = folder.Sub("transmission-config");
        var port = ServiceProcess.FreePort();
        await File.WriteAllTextAsync(Path.Combine(config, "settings.json"), $$"""
            {
              "dht-enabled": false, "pex-enabled": false, "lpd-enabled": false, "utp-enabled": false,
              "port-forwarding-enabled": false, "rpc-enabled": false,
              "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1", "peer-port": {{port.ToString(CultureInfo.InvariantCulture)}},
              "encryption": 0, "message-level": 2
            }
            """);
        // It checks the data it finds in the download folder, then seeds it and announces to our tracker.
        await using var transmission = ExternalProgram.Start("transmission-cli",
            ["-g", config, "-w", seedFolder, "-p", port.ToString(CultureInfo.InvariantCulture), "-M", "-et", "-B", torrent]);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));

        var infoHash = await InteropDownloads.StartWhenSeededAsync(peer, torrent, () => transmission.HasExited ? transmission.Output : null);
        await peer.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(TempFolder.Sha256(source), await peer.ContentSha256Async(infoHash));
        output.WriteLine(transmission.Output.Replace('\r', '\n'));
    }
}
