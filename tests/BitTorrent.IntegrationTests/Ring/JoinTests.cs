using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Identifiers;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Ring;

public sealed class JoinTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Nodes_started_one_after_another_never_found_a_second_ring_beside_a_lone_founder()
    {
        // Three ports ordered so that the second node has the smallest id. The first node founds a ring of
        // one (it has no seeds). The second, seeded with it, must join it, not found a ring of its own because
        // the founder is alone and has a larger id; else the third, seeded with both, joins the second, and the
        // founder (which knows nobody) is left a ring of one forever.
        var ports = Enumerable.Range(0, 3).Select(_ => ServiceProcess.FreePort()).Distinct().ToList();
        Assert.Equal(3, ports.Count);
        var smallest = ports.MinBy(p => Id160.Hash($"http://127.0.0.1:{p}"));
        var order = new[] { ports.First(p => p != smallest), smallest, ports.Last(p => p != smallest) };

        await using var ring = new ChordRing(output, new Dictionary<string, string>
        {
            ["Chord__JoinWait"] = "00:00:00.300",
            // Slow maintenance: a lone node looks for others only every fourth round, well after the third node joined.
            ["Chord__StabilizeInterval"] = "00:00:01",
        });
        foreach (var port in order)
        {
            var node = ring.StartNode(port: port);
            await ring.WaitReadyAsync(node);
        }

        await ring.WaitConvergedAsync(TimeSpan.FromSeconds(15));
        var view = await ring.RingAsync(ring.Nodes[0]);
        Assert.Equal(3, view.Members.Count);
    }
}
