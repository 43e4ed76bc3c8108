using System.Text;
using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Identifiers;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.Shared.Discovery;

public sealed class DiscoveryListenerTests
{
    private readonly ManualTimeProvider _time = new();

    private DiscoveryListener Listener() =>
        new(Options.Create(new DiscoveryOptions { Interval = TimeSpan.FromSeconds(1), ExpiryIntervals = 5 }), NullLogger<DiscoveryListener>.Instance, _time);

    private static NodeAnnouncement Node(int i) => new(Id160.Hash($"node {i}"), $"http://127.0.0.1:{5000 + i}");

    [Fact]
    public void Announcement_json_has_the_documented_shape_and_parses_back()
    {
        var node = Node(1);
        var json = Encoding.UTF8.GetString(node.ToUtf8Json());

        Assert.Equal($$"""{"id":"{{node.Id}}","url":"http://127.0.0.1:5001"}""", json);
        Assert.Equal(node, NodeAnnouncement.TryParse(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("{}")]
    [InlineData("[1,2]")]
    [InlineData("""{"id":"xyz","url":"http://a:1"}""")]
    [InlineData("""{"id":123,"url":"http://a:1"}""")]
    [InlineData("""{"id":null,"url":"http://a:1"}""")]
    [InlineData("""{"id":"a9993e364706816aba3e25717850c26c9cd0d89d","url":42}""")]
    [InlineData("\u00ff\u00fe")]
    [InlineData("""{"id":"a9993e364706816aba3e25717850c26c9cd0d89d"}""")]
    [InlineData("""{"id":"a9993e364706816aba3e25717850c26c9cd0d89d","url":"not a url"}""")]
    [InlineData("""{"id":"a9993e364706816aba3e25717850c26c9cd0d89d","url":"file:///etc/passwd"}""")]
    [InlineData("""{"id":"a9993e364706816aba3e25717850c26c9cd0d89d","url":"http://a:1"} trailing""")]
    public void Malformed_datagrams_are_not_announcements(string text) =>
        Assert.Null(NodeAnnouncement.TryParse(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Oversized_datagrams_are_not_announcements()
    {
        var json = $$"""{"id":"{{Id160.Hash("x")}}","url":"http://127.0.0.1:1/{{new string('a', NodeAnnouncement.MaxDatagramBytes)}}"}""";
        Assert.Null(NodeAnnouncement.TryParse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Nodes_not_heard_from_for_five_intervals_drop_out()
    {
        using var listener = Listener();
        listener.Observe(Node(1));
        listener.Observe(Node(2));
        _time.Advance(TimeSpan.FromSeconds(4));
        listener.Observe(Node(2));

        Assert.Equal(2, listener.LiveNodes.Count);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([Node(2)], listener.LiveNodes);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Empty(listener.LiveNodes);
    }

    [Fact]
    public void Live_nodes_are_in_id_order_and_a_new_url_replaces_the_old()
    {
        using var listener = Listener();
        for (var i = 0; i < 10; i++) listener.Observe(Node(i));
        listener.Observe(Node(3) with { Url = "http://127.0.0.1:9999" });

        var live = listener.LiveNodes;
        Assert.Equal(live.OrderBy(n => n.Id), live);
        Assert.Equal(10, live.Count);
        Assert.Equal("http://127.0.0.1:9999", live.Single(n => n.Id == Node(3).Id).Url);
    }

    [Fact]
    public async Task WaitForAny_completes_when_the_first_node_is_heard_and_the_event_fires_once_per_node()
    {
        using var listener = Listener();
        var discovered = new List<NodeAnnouncement>();
        listener.NodeDiscovered += discovered.Add;
        var waiting = listener.WaitForAnyAsync();
        Assert.False(waiting.IsCompleted);

        listener.Observe(Node(1));
        listener.Observe(Node(1));

        Assert.Equal([Node(1)], await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([Node(1)], discovered);
    }

    [Fact]
    public async Task WaitForAny_honours_cancellation()
    {
        using var listener = Listener();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listener.WaitForAnyAsync(cancel.Token));
    }
}
