using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Ring;

[Collection(Alone.Name)]
[Trait(Alone.Trait, Alone.Value)]
public sealed class MulticastDiscoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_nodes_started_together_without_seeds_form_one_ring_through_multicast_alone_and_a_fourth_joins_it()
    {
        // Loopback multicast with TTL 0 on a port of this test's own, so a running system is not disturbed.
        var discovery = new Dictionary<string, string>
        {
            ["Discovery__Enabled"] = "true",
            ["Discovery__Port"] = ServiceProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Discovery__Interface"] = "127.0.0.1",
            ["Discovery__Ttl"] = "0",
            ["Discovery__Interval"] = "00:00:00.300",
        };
        await using var ring = new ChordRing(output, discovery);
        var nodes = Enumerable.Range(0, 3).Select(_ => ring.StartNode(seeds: [])).ToList();
        foreach (var node in nodes) await ring.WaitReadyAsync(node);
        await ring.WaitConvergedAsync();
        Assert.Equal(3, (await ring.RingAsync(nodes[0])).Size);

        var fourth = ring.StartNode(seeds: []);
        await ring.WaitReadyAsync(fourth);
        await ring.WaitConvergedAsync();
        Assert.Equal(4, (await ring.RingAsync(fourth)).Size);
    }
}
