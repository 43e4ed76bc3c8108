using System.Net;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using BitTorrent.Shared.Torrents;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Peers;

/// <summary>
/// Magnet links between our own peers on a real ring: a magnet whose torrent is not in the DHT waits in state
/// metadata, survives a restart of the peer, and completes once a peer that has the file joins the swarm (the
/// metadata fetched from it over BEP 9).
/// </summary>
public sealed class MagnetDownloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_magnet_waiting_for_metadata_survives_a_restart_and_completes_from_another_of_our_peers()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var source = folder.RandomFile("wanted-by-magnet.bin", 1L * 1024 * 1024 + 77, seed: 51);
        var announce = ring.Nodes[0].Url + "/announce";
        // The info-hash our seeder will publish under, known before anyone has the torrent.
        var infoHash = TorrentMetainfo.CreateFromFile(source, announce).InfoHash.ToString();
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));

        var magnet = $"magnet:?xt=urn:btih:{infoHash}&dn=wanted-by-magnet.bin&tr={Uri.EscapeDataString(announce)}";
        using (var response = await leecher.Http.PostAsJsonAsync("api/downloads", new { magnet }))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("metadata", (await response.Content.ReadFromJsonAsync<DownloadView>(ChordRing.Json))!.State);
        }
        using (var again = await leecher.Http.PostAsJsonAsync("api/downloads", new { magnet }))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using (var pause = await leecher.Http.PostAsync($"api/downloads/{infoHash}/pause", null))
            Assert.Equal(HttpStatusCode.Conflict, pause.StatusCode);

        await leecher.RestartAsync(ring);
        Assert.Equal("metadata", (await leecher.DownloadAsync(infoHash)).State);

        await using var seeder = await PeerProcess.StartAsync(ring, folder.Sub("seeder"));
        var published = await seeder.PublishAsync(source);
        Assert.Equal(infoHash, published.InfoHash);

        await leecher.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(90));
        Assert.Equal(TempFolder.Sha256(source), await leecher.ContentSha256Async(infoHash));
    }

    [Fact]
    public async Task A_magnet_waiting_for_metadata_can_be_cancelled_and_is_not_resumed_after_a_restart()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        var infoHash = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));

        using (var response = await peer.Http.PostAsJsonAsync("api/downloads", new { magnet = $"magnet:?xt=urn:btih:{infoHash}&dn=nobody-has-it" }))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using (var cancel = await peer.Http.PostAsync($"api/downloads/{infoHash}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<DownloadView>(ChordRing.Json))!.State);
        }

        await peer.RestartAsync(ring);
        using var after = await peer.Http.GetAsync($"api/downloads/{infoHash}");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }
}
