using Xunit.Abstractions;

namespace BitTorrent.SimulationTests;

/// <summary>The Chord code at scale over an in-memory transport: correctness and hop counts.</summary>
public sealed class RingLookupSimulationTests(ITestOutputHelper output)
{
    private const int Nodes = 1000;
    private const int Lookups = 2000;

    [Fact]
    public async Task Thousand_nodes_every_lookup_finds_the_true_successor_in_at_most_half_log_n_plus_one_mean_hops()
    {
        var network = new SimulatedNetwork(seed: 42);
        var nodes = await network.BuildRingAsync(Nodes);
        foreach (var n in nodes) n.Node.Hops.Reset();

        for (var i = 0; i < Lookups; i++)
        {
            var id = network.RandomId();
            var from = nodes[network.Random.Next(nodes.Count)].Node;
            var result = await from.FindSuccessorAsync(id);
            Assert.Equal(network.TrueSuccessor(id), result.Successor.Id);
        }

        var lookups = nodes.Sum(n => n.Node.Hops.Lookups);
        var mean = (double)nodes.Sum(n => n.Node.Hops.TotalHops) / lookups;
        var bound = 0.5 * Math.Log2(Nodes) + 1;
        output.WriteLine($"N={Nodes}: {lookups} lookups, mean hops {mean:F2} (bound {bound:F2})");
        Assert.Equal(Lookups, lookups);
        Assert.True(mean <= bound, $"mean hops {mean:F2} exceeds ½·log2 N + 1 = {bound:F2}");
    }

    [Fact]
    public async Task Twenty_percent_fail_at_once_and_after_a_few_rounds_every_lookup_is_correct_again()
    {
        var network = new SimulatedNetwork(seed: 7);
        var nodes = await network.BuildRingAsync(Nodes);
        foreach (var victim in nodes.OrderBy(_ => network.Random.Next()).Take(Nodes / 5))
            network.Fail(victim.Node.Self.Id);

        for (var round = 0; round < 5; round++) await network.RoundAsync(fixAllFingers: false);

        var live = network.Live;
        Assert.Equal(Nodes - Nodes / 5, live.Count);
        var wrong = 0;
        for (var i = 0; i < Lookups; i++)
        {
            var id = network.RandomId();
            var result = await live[network.Random.Next(live.Count)].Node.FindSuccessorAsync(id);
            if (result.Successor.Id != network.TrueSuccessor(id)) wrong++;
        }
        Assert.Equal(0, wrong);

        // Successor pointers are exact again: each node's successor is the next live id.
        foreach (var n in live)
            Assert.Equal(network.TrueSuccessor(n.Node.Self.Id + BitTorrent.Shared.Identifiers.Id160.PowerOfTwo(0)), n.Node.Successor.Id);
    }
}
