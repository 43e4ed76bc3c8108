using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;
using Xunit.Abstractions;

namespace BitTorrent.SimulationTests;

/// <summary>Fix-fingers rests in a steady ring and comes back to every round when the ring changes near a node.</summary>
public sealed class FingerRestSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task In_a_steady_ring_fix_fingers_rests_and_a_newcomer_next_to_a_node_brings_it_back_until_its_fingers_are_true()
    {
        var network = new SimulatedNetwork(seed: 11);
        var ring = await network.BuildRingAsync(64);
        var node = ring[0];

        // Steady: whole passes change nothing, so the rest between passes grows to its maximum, and the rounds cost less.
        var rests = new List<int>();
        for (var round = 0; round < 120; round++)
        {
            await node.RunRoundAsync();
            rests.Add(node.FingerRest);
        }
        Assert.Contains(Stabilizer.MaxFingerRest, rests);
        var before = network.Messages;
        for (var round = 0; round < 32; round++) await node.RunRoundAsync();
        var resting = network.Messages - before;
        output.WriteLine($"steady: rests {string.Join(",", rests.Distinct())}; 32 rounds at rest cost {resting} messages");

        // A node joins right after it: its successor changes, and fix-fingers is back at every round.
        var newcomer = network.AddNode(UrlBetween(node.Node.Self.Id, node.Node.Successor.Id));
        await newcomer.JoinAsync(node.Node.Self);
        await node.RunRoundAsync();
        Assert.Equal(newcomer.Node.Self.Id, node.Node.Successor.Id);
        Assert.Equal(0, node.FingerRest);

        for (var round = 0; round < 40; round++) await node.RunRoundAsync();
        for (var i = 0; i < Id160.Bits; i++)
        {
            var expected = network.TrueSuccessor(node.Node.FingerStart(i));
            Assert.Equal(expected == node.Node.Self.Id ? null : expected, node.Node.Finger(i)?.Id);
        }
    }

    /// <summary>A node url whose id falls strictly between two ids.</summary>
    private static string UrlBetween(Id160 after, Id160 before)
    {
        for (var k = 0; ; k++)
        {
            var url = $"http://newcomer-{k}:1";
            if (Id160.InOpen(NodeRef.ForUrl(url).Id, after, before)) return url;
        }
    }
}
