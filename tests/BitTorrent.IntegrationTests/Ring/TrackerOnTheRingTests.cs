using System.Net;
using System.Text;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Bencode;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Ring;

public sealed class TrackerOnTheRingTests(ITestOutputHelper output)
{
    private static readonly string InfoHash = string.Concat(Enumerable.Range(1, 20).Select(i => $"%{i:x2}"));

    [Fact]
    public async Task An_announce_to_one_node_is_seen_by_an_announce_to_another_because_swarms_live_in_the_dht()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var http = new HttpClient();

        var first = await AnnounceAsync(http, ring.Nodes[0], "-DD0001-aaaaaaaaaaaa", 7001, left: 0, "started");
        Assert.Empty(first.Require<BString>("peers").Bytes);
        var second = await AnnounceAsync(http, ring.Nodes[2], "-DD0001-bbbbbbbbbbbb", 7002, left: 100, "started");
        Assert.Equal(1, second.Require<BInteger>("complete").Value);
        Assert.Equal(1, second.Require<BInteger>("incomplete").Value);
        // Compact peer list (BEP 23): 127.0.0.1:7001.
        Assert.Equal(new byte[] { 127, 0, 0, 1, 0x1b, 0x59 }, second.Require<BString>("peers").Bytes);

        // The seeder stops: any node now answers without it.
        await AnnounceAsync(http, ring.Nodes[1], "-DD0001-aaaaaaaaaaaa", 7001, left: 0, "stopped");
        var third = await AnnounceAsync(http, ring.Nodes[1], "-DD0001-bbbbbbbbbbbb", 7002, left: 100, null);
        Assert.Equal(0, third.Require<BInteger>("complete").Value);
    }

    [Fact]
    public async Task An_oversized_publish_body_is_refused_with_413_and_the_node_keeps_serving()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var http = new HttpClient();
        using var content = new ByteArrayContent(new byte[16 * 1024 * 1024]);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{ring.Nodes[0].Url}/api/tracker/files") { Content = content };
        request.Headers.ExpectContinue = true;
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{ring.Nodes[0].Url}/api/tracker/files")).StatusCode);
    }

    private static async Task<BDictionary> AnnounceAsync(HttpClient http, ServiceProcess node, string peerId, int port, long left, string? @event)
    {
        var url = new StringBuilder($"{node.Url}/announce?info_hash={InfoHash}&peer_id={peerId}&port={port}&uploaded=0&downloaded=0&left={left}&compact=1");
        if (@event is not null) url.Append("&event=").Append(@event);
        var bytes = await http.GetByteArrayAsync(url.ToString());
        var reply = (BDictionary)BencodeReader.Decode(bytes);
        Assert.False(reply.ContainsKey("failure reason"), reply.Get<BString>("failure reason")?.Text);
        return reply;
    }
}
