using System.Net;
using System.Net.Http.Headers;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Tracker;
using BitTorrent.UnitTests.ChordNode.Tracker;
using BitTorrent.UnitTests.Shared.Tracker;
using BitTorrent.UnitTests.TestDoubles;

namespace BitTorrent.UnitTests.ChordNode.Api;

/// <summary>POST /tracker/batch on real Kestrel over the in-memory store: each item answered as its own GET would be, and only for a trusted proxy.</summary>
public sealed class TrackerBatchApiTests
{
    private static readonly byte[] First = Id160.Hash("first").ToByteArray();
    private static readonly byte[] Second = Id160.Hash("second").ToByteArray();

    [Fact]
    public async Task Each_item_is_answered_as_its_client_would_be_answered_by_a_get_from_its_own_address()
    {
        await using var host = await TrackerApiHost.StartAsync(new InMemoryDht(), Trusting("127.0.0.1"));
        var hash = AnnounceRequestTests.UrlEncode(AnnounceRequestTests.InfoHashBytes);
        TrackerBatchItem[] items =
        [
            new(TrackerRequestKind.Announce, "203.0.113.7", null, AnnounceRequestTests.Query("&event=started", peerId: First, port: "6881")),
            new(TrackerRequestKind.Announce, "198.51.100.9", null, AnnounceRequestTests.Query(peerId: Second, port: "6882")),
            new(TrackerRequestKind.Scrape, "198.51.100.9", null, "?info_hash=" + hash),
            new(TrackerRequestKind.Announce, "198.51.100.9", null, "?peer_id=x&port=1"),
        ];

        using var response = await host.Http.SendAsync(BatchRequest(TrackerBatchFormatTests.Write(items)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TrackerBatchFormat.MediaType, response.Content.Headers.ContentType?.MediaType);
        var answers = new ReadOnlyMemory<byte>[items.Length];
        Assert.True(TrackerBatchFormat.TryReadAnswers(await response.Content.ReadAsByteArrayAsync(), answers));
        // The second client is handed the first, at the address its item named (not the gateway's connection).
        var second = Decode(answers[1]);
        Assert.Equal(new byte[] { 203, 0, 113, 7, 0x1a, 0xe1 }, second.Require<BString>("peers").Bytes);
        Assert.Equal(2, second.Require<BInteger>("incomplete").Value);
        var files = Decode(answers[2]).Require<BDictionary>("files");
        Assert.Equal(2, Assert.IsType<BDictionary>(Assert.Single(files).Value).Require<BInteger>("incomplete").Value);
        Assert.Equal("peer_id must be 20 bytes", Decode(answers[3]).Require<BString>("failure reason").Text);
        // The same scrape as a GET of its own gives the same bytes.
        Assert.Equal(await host.Http.GetByteArrayAsync("/scrape?info_hash=" + hash), answers[2].ToArray());
    }

    [Fact]
    public async Task A_batch_from_a_host_that_is_not_a_trusted_proxy_is_a_403_problem_and_announces_nothing()
    {
        var dht = new InMemoryDht();
        await using var host = await TrackerApiHost.StartAsync(dht, Trusting("127.0.0.9"));
        var item = new TrackerBatchItem(TrackerRequestKind.Announce, "203.0.113.7", null, AnnounceRequestTests.Query(peerId: First));

        using var response = await host.Http.SendAsync(BatchRequest(TrackerBatchFormatTests.Write([item])));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var scrape = Decode(await host.Http.GetByteArrayAsync("/scrape?info_hash=" + AnnounceRequestTests.UrlEncode(AnnounceRequestTests.InfoHashBytes)));
        Assert.Equal(0, Assert.IsType<BDictionary>(Assert.Single(scrape.Require<BDictionary>("files")).Value).Require<BInteger>("incomplete").Value);
    }

    [Fact]
    public async Task A_malformed_batch_is_a_400_problem_that_says_what_is_wrong()
    {
        await using var host = await TrackerApiHost.StartAsync(new InMemoryDht(), Trusting("127.0.0.1"));

        using var response = await host.Http.SendAsync(BatchRequest([1, 200, 1, 2, 3]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("bad client address", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_larger_than_its_limit_is_refused_with_413_before_it_is_read()
    {
        await using var host = await TrackerApiHost.StartAsync(new InMemoryDht(), Trusting("127.0.0.1"));

        using var request = BatchRequest(new byte[TrackerBatchFormat.MaxRequestBytes + 1]);
        request.Headers.ExpectContinue = true; // the server answers from the headers; the body is never sent
        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private static Dictionary<string, string?> Trusting(string proxy) => new() { ["Tracker:TrustedProxies:0"] = proxy };

    private static HttpRequestMessage BatchRequest(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(TrackerBatchFormat.MediaType);
        return new HttpRequestMessage(HttpMethod.Post, "/tracker/batch") { Content = content };
    }

    private static BDictionary Decode(ReadOnlyMemory<byte> body) => Assert.IsType<BDictionary>(BencodeReader.Decode(body.ToArray()));
}
