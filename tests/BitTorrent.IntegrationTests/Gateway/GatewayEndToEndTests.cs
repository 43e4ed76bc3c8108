using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using BitTorrent.ChordNode.Api;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Gateway;

/// <summary>The whole system used through the gateway only, as a user with one URL uses it.</summary>
public sealed class GatewayEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Publish_on_peer_1_and_download_on_peer_2_through_the_gateway_only_while_a_chord_node_dies()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring);
        await using var first = await PeerProcess.StartAsync(ring, folder.Sub("peer-1"));
        await using var second = await PeerProcess.StartAsync(ring, folder.Sub("peer-2"));
        var (id1, id2) = ((await first.MeAsync()).PeerId, (await second.MeAsync()).PeerId);
        using var gateway = new HttpClient { BaseAddress = new Uri(gatewayProcess.Url), Timeout = TimeSpan.FromMinutes(1) };
        using var peer1 = await first.ThroughGatewayAsync(gatewayProcess.Url); // /peers/{id1}/ with peer 1's key
        using var peer2 = await second.ThroughGatewayAsync(gatewayProcess.Url);

        // The catalog through the gateway, empty at first; the peers are listed.
        Assert.Empty((await gateway.GetFromJsonAsync<BitTorrent.Shared.Contracts.Tracker.TrackerFileSummary[]>("/api/tracker/files", ChordRing.Json))!);
        var peers = await gateway.GetStringAsync("/api/tracker/peers");
        Assert.Contains($"\"peerId\":{id1}", peers, StringComparison.Ordinal);

        // Publish on peer 1 through /peers/{id}/api/files.
        var source = folder.RandomFile("through-the-gateway.bin", 2 * 1024 * 1024 + 3, seed: 31);
        using var form = new MultipartFormDataContent();
        var content = new StreamContent(File.OpenRead(source));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", "through-the-gateway.bin");
        using var published = await peer1.PostAsync("api/files", form);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var file = (await published.Content.ReadFromJsonAsync<FileView>(ChordRing.Json))!;
        var catalog = await gateway.GetStringAsync("/api/tracker/files?search=through");
        Assert.Contains(file.InfoHash, catalog, StringComparison.Ordinal);

        // Kill the chord node that served the last tracker request; the next requests still succeed.
        var served = (await gateway.GetFromJsonAsync<RingView>("/api/tracker/ring", ChordRing.Json))!.AnsweredBy;
        ring.Nodes.Single(n => n.Url == served).Kill();
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/tracker/files")).StatusCode);

        // Download on peer 2 through /peers/{id}/api/downloads; the content through the gateway is the same.
        using (var start = await peer2.PostAsJsonAsync("api/downloads", new { infoHash = file.InfoHash }))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await Eventually.TrueAsync(async () =>
            (await peer2.GetFromJsonAsync<DownloadDetailsView>($"api/downloads/{file.InfoHash}", ChordRing.Json))!.State == "completed",
            TimeSpan.FromSeconds(60), "the download through the gateway did not complete");
        var downloaded = await peer2.GetByteArrayAsync($"api/files/{file.InfoHash}/content");
        Assert.Equal(TempFolder.Sha256(source), Convert.ToHexString(SHA256.HashData(downloaded)));

        // The peer's UI through the gateway: /peers/{id} redirects to /peers/{id}/, which serves the page.
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.BaseAddress };
        using var redirect = await noRedirects.GetAsync($"/peers/{id2}");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.EndsWith($"/peers/{id2}/", redirect.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Contains("D&amp;D BitTorrent peer", await gateway.GetStringAsync($"/peers/{id2}/"), StringComparison.Ordinal);
    }
}
