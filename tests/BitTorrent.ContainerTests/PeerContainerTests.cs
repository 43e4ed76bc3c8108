using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using BitTorrent.ContainerTests.Infrastructure;

namespace BitTorrent.ContainerTests;

/// <summary>
/// Peers as containers next to the ring and the gateway, used only through the gateway: publish on
/// one peer, download on another, with chord nodes and seeders stopped along the way.
/// </summary>
[Collection(PeerContainerCollection.Name)]
public sealed class PeerContainerTests
{
    private static readonly TimeSpan Timeout = PeerApi.Timeout;
    private static readonly HttpClient Http = PeerApi.Http; // sends the peers' API key

    [Fact]
    public async Task Through_the_gateway_a_file_published_on_one_peer_downloads_on_another_even_after_a_chord_node_stops()
    {
        await using var cluster = await ContainerFixture.CreateClusterAsync(nameof(Through_the_gateway_a_file_published_on_one_peer_downloads_on_another_even_after_a_chord_node_stops));
        var (nodes, gateway) = await RingContainerTests.StartRingWithGatewayAsync(cluster, 3);
        var seeds = nodes.Select(n => n.NetworkUrl).ToList();
        var peers = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => cluster.StartPeerAsync($"peer-{i}", seeds)));
        var ids = await Task.WhenAll(peers.Select(PeerIdAsync));

        var first = PeerApi.RandomBytes(3 * 1024 * 1024 + 17, seed: 1);
        var infoHash = await PublishAsync(gateway, ids[0], "first.bin", first);
        await DownloadAsync(gateway, ids[1], infoHash);
        Assert.Equal(SHA256.HashData(first), SHA256.HashData(await Http.GetByteArrayAsync(new Uri(gateway.Url, $"/peers/{ids[1]}/api/files/{infoHash}/content"))));

        // A chord node stops: the catalog is intact and a new publish and download still work.
        await nodes[0].Container.StopAsync();
        await Eventually.SucceedsAsync(async () =>
        {
            var files = await gateway.GetJsonAsync("/api/tracker/files");
            return files.EnumerateArray().Any(f => f.GetProperty("infoHash").GetString() == infoHash) ? null : $"catalog: {files}";
        }, Timeout, "the catalog still lists the file");
        var second = PeerApi.RandomBytes(1024 * 1024, seed: 2);
        var secondHash = await PublishAsync(gateway, ids[1], "second.bin", second);
        await DownloadAsync(gateway, ids[2], secondHash);
        Assert.Equal(SHA256.HashData(second), SHA256.HashData(await Http.GetByteArrayAsync(new Uri(gateway.Url, $"/peers/{ids[2]}/api/files/{secondHash}/content"))));
    }

    [Fact]
    public async Task A_seeder_container_stopped_mid_download_while_another_seeder_remains_does_not_stop_the_download()
    {
        await using var cluster = await ContainerFixture.CreateClusterAsync(nameof(A_seeder_container_stopped_mid_download_while_another_seeder_remains_does_not_stop_the_download));
        var (nodes, gateway) = await RingContainerTests.StartRingWithGatewayAsync(cluster, 3);
        var seeds = nodes.Select(n => n.NetworkUrl).ToList();
        var slow = new Dictionary<string, string> { ["Transfer__UploadRateLimit"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var seeders = await Task.WhenAll(cluster.StartPeerAsync("seeder-1", seeds, slow), cluster.StartPeerAsync("seeder-2", seeds, slow));
        var leecher = await cluster.StartPeerAsync("leecher", seeds);
        var seederIds = await Task.WhenAll(seeders.Select(PeerIdAsync));
        var leecherId = await PeerIdAsync(leecher);

        var content = PeerApi.RandomBytes(24 * 1024 * 1024, seed: 3);
        var infoHash = await PublishAsync(gateway, seederIds[0], "shared.bin", content);
        Assert.Equal(infoHash, await PublishAsync(gateway, seederIds[1], "shared.bin", content));

        using (var start = await Http.PostAsJsonAsync(new Uri(gateway.Url, $"/peers/{leecherId}/api/downloads"), new { infoHash }))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await Eventually.SucceedsAsync(async () =>
        {
            var progress = (await PeerApi.GetJsonAsync(new Uri(gateway.Url, $"/peers/{leecherId}/api/downloads/{infoHash}"))).GetProperty("progress").GetDouble();
            return progress >= 0.15 ? null : $"progress {progress:P0}";
        }, Timeout, "the download gets going");
        await seeders[0].Container.StopAsync();

        await WaitCompletedAsync(gateway, leecherId, infoHash);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await Http.GetByteArrayAsync(new Uri(gateway.Url, $"/peers/{leecherId}/api/files/{infoHash}/content"))));
    }

    private static Task<long> PeerIdAsync(ServiceContainer peer) => PeerApi.PeerIdAsync(peer.Url);

    private static Task<string> PublishAsync(ServiceContainer gateway, long peerId, string name, byte[] content) =>
        PeerApi.PublishAsync(gateway.Url, peerId, name, content);

    private static Task DownloadAsync(ServiceContainer gateway, long peerId, string infoHash) => PeerApi.DownloadAsync(gateway.Url, peerId, infoHash);

    private static Task WaitCompletedAsync(ServiceContainer gateway, long peerId, string infoHash) => PeerApi.WaitCompletedAsync(gateway.Url, peerId, infoHash);
}
