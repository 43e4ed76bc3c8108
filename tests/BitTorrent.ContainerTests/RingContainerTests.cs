using BitTorrent.ContainerTests.Infrastructure;
using BitTorrent.Shared.Bencode;

namespace BitTorrent.ContainerTests;

/// <summary>
/// The real images on a Docker network: chord nodes that find each other only by multicast on that
/// network (no seeds), and the gateway in front of them.
/// </summary>
[Collection(RingContainerCollection.Name)]
public sealed class RingContainerTests
{
    private static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_nodes_form_one_ring_by_multicast_and_the_gateway_serves_it()
    {
        await using var cluster = await ContainerFixture.CreateClusterAsync(nameof(Three_nodes_form_one_ring_by_multicast_and_the_gateway_serves_it));
        var (nodes, gateway) = await StartRingWithGatewayAsync(cluster, 3);

        var ready = await gateway.GetJsonAsync("/readyz");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        var ring = await gateway.GetJsonAsync("/api/tracker/ring");
        Assert.Equal(3, ring.GetProperty("size").GetInt32());
        // Every member advertises its address on the Docker network, not 0.0.0.0.
        var members = ring.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("url").GetString()!).ToList();
        Assert.All(members, url => Assert.Matches(@"^http://\d+\.\d+\.\d+\.\d+:5101$", url));
        Assert.DoesNotContain(members, url => url.Contains("0.0.0.0", StringComparison.Ordinal));
        // The containers run as the chart runs them: uid 10001, read-only root.
        var id = await nodes[0].Container.ExecAsync(["id", "-u"]);
        Assert.Equal("10001", id.Stdout.Trim());
        var write = await nodes[0].Container.ExecAsync(["/bin/sh", "-c", "touch /app/x"]);
        Assert.NotEqual(0, write.ExitCode);
        // The images' HEALTHCHECK (GET /healthz over bash's /dev/tcp) passes, and fails where nothing listens.
        foreach (var service in new[] { nodes[0], gateway })
        {
            var healthy = await service.Container.ExecAsync(["/usr/local/bin/healthcheck"]);
            Assert.True(healthy.ExitCode == 0, $"healthcheck in {service.Name}: exit {healthy.ExitCode} {healthy.Stderr}");
        }
        var unhealthy = await gateway.Container.ExecAsync(["/bin/sh", "-c", "HEALTHCHECK_PORT=1 /usr/local/bin/healthcheck"]);
        Assert.NotEqual(0, unhealthy.ExitCode);
        // The image's logging defaults survive the /bin/sh wrapper: no line per request.
        var (stdout, _) = await nodes[0].Container.GetLogsAsync();
        Assert.DoesNotContain("Request finished", stdout, StringComparison.Ordinal);
        Assert.Contains("joined the ring", string.Concat(await Task.WhenAll(nodes.Select(async n => (await n.Container.GetLogsAsync()).Stdout))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stopped_node_loses_neither_the_catalog_nor_the_swarms()
    {
        await using var cluster = await ContainerFixture.CreateClusterAsync(nameof(A_stopped_node_loses_neither_the_catalog_nor_the_swarms));
        var (nodes, gateway) = await StartRingWithGatewayAsync(cluster, 3);
        var torrent = TestTorrent.Create("container-test.bin", 100_000, $"{gateway.NetworkUrl}/announce");

        Assert.Equal(torrent.InfoHash, await torrent.PublishAsync(gateway));
        var first = await torrent.AnnounceAsync(gateway, "-CT0001-seeder", 6881, seeder: true);
        Assert.Equal(1, first.Get<BInteger>("complete")?.Value);

        await nodes[0].Container.StopAsync();

        await Eventually.SucceedsAsync(async () =>
        {
            var size = (await nodes[1].RingMembersAsync()).Count;
            return size == 2 ? null : $"ring size {size} at {nodes[1].Name}";
        }, RingTimeout, "the ring closes the gap");
        await Eventually.SucceedsAsync(async () =>
        {
            var files = await gateway.GetJsonAsync("/api/tracker/files");
            return files.EnumerateArray().Any(f => f.GetProperty("infoHash").GetString() == torrent.InfoHash)
                ? null
                : $"catalog through the gateway: {files}";
        }, RingTimeout, "the published torrent is still listed through the gateway");
        await Eventually.SucceedsAsync(async () =>
        {
            var details = await gateway.GetJsonAsync($"/api/tracker/files/{torrent.InfoHash}");
            return details.GetProperty("name").GetString() == torrent.Name ? null : $"details: {details}";
        }, RingTimeout, "the torrent's metadata is still readable through the gateway");

        // Announces still work, and the seeder announced before the stop is still in the swarm.
        BDictionary? second = null;
        await Eventually.SucceedsAsync(async () =>
        {
            second = await torrent.AnnounceAsync(gateway, "-CT0002-leecher", 6882, seeder: false);
            return null;
        }, RingTimeout, "an announce through the gateway after the stop");
        Assert.Equal(1, second!.Get<BInteger>("complete")?.Value);
        Assert.Equal(1, second.Get<BInteger>("incomplete")?.Value);
        Assert.Equal(6, second.Get<BString>("peers")?.Bytes.Length); // the seeder, compact (BEP 23)
    }

    [Fact]
    public async Task A_fourth_node_joins_the_ring_by_multicast()
    {
        await using var cluster = await ContainerFixture.CreateClusterAsync(nameof(A_fourth_node_joins_the_ring_by_multicast));
        var (nodes, gateway) = await StartRingWithGatewayAsync(cluster, 3);

        var fourth = await cluster.StartChordNodeAsync("chord-4");

        await WaitForRingSizeAsync([.. nodes, fourth], 4);
        await Eventually.SucceedsAsync(async () =>
        {
            var ready = await gateway.GetJsonAsync("/readyz");
            var count = ready.GetProperty("chordNodes").GetArrayLength();
            return count == 4 ? null : $"gateway routes to {count} members: {ready}";
        }, RingTimeout, "the gateway follows the ring to four members");
        var ring = await gateway.GetJsonAsync("/api/tracker/ring");
        Assert.Equal(4, ring.GetProperty("size").GetInt32());
    }

    /// <summary>
    /// <paramref name="count"/> chord nodes started together (they agree on one founder by multicast), then the
    /// gateway, which finds them by multicast too; returns once every node and the gateway see the whole ring.
    /// </summary>
    internal static async Task<(ServiceContainer[] Nodes, ServiceContainer Gateway)> StartRingWithGatewayAsync(Cluster cluster, int count)
    {
        var nodes = await Task.WhenAll(Enumerable.Range(1, count).Select(i => cluster.StartChordNodeAsync($"chord-{i}")));
        await WaitForRingSizeAsync(nodes, count);
        var gateway = await cluster.StartGatewayAsync("gateway");
        await Eventually.SucceedsAsync(async () =>
        {
            var ready = await gateway.GetJsonAsync("/readyz");
            var members = ready.GetProperty("chordNodes").GetArrayLength();
            if (members != count) return $"gateway knows {members}: {ready}";
            // /readyz turns ready as the gateway learns the members; its proxy applies the new destinations
            // a moment later (YARP reloads its configuration asynchronously), so wait for the proxied ring too.
            var ring = await gateway.GetJsonAsync("/api/tracker/ring");
            return ring.GetProperty("size").GetInt32() == count ? null : $"ring through the gateway: {ring}";
        }, RingTimeout, $"the gateway routes to all {count} members");
        return (nodes, gateway);
    }

    internal static Task WaitForRingSizeAsync(IReadOnlyList<ServiceContainer> nodes, int size) =>
        Eventually.SucceedsAsync(async () =>
        {
            foreach (var node in nodes)
            {
                var members = await node.RingMembersAsync();
                if (members.Count != size) return $"{node.Name} sees {members.Count}: {string.Join(", ", members)}";
            }
            return null;
        }, RingTimeout, $"one ring of {size}");
}
