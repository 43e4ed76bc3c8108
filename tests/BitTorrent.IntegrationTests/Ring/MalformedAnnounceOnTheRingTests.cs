using System.Net;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Bencode;

namespace BitTorrent.IntegrationTests.Ring;

/// <summary>One chord node shared by the cases below (a malformed announce changes nothing).</summary>
public sealed class OneNodeRingFixture : IAsyncLifetime
{
    public ChordRing Ring { get; } = new();

    public Task InitializeAsync() => Ring.StartAsync(1);

    public async Task DisposeAsync() => await Ring.DisposeAsync();
}

/// <summary>A node's /announce answers a request it cannot read as a tracker does: a bencoded failure reason, not an error status.</summary>
public sealed class MalformedAnnounceOnTheRingTests(OneNodeRingFixture system) : IClassFixture<OneNodeRingFixture>
{
    private static readonly string InfoHash = string.Concat(Enumerable.Range(1, 20).Select(i => $"%{i:x2}"));

    [Theory]
    [InlineData("")]
    [InlineData("?info_hash=short&peer_id=-DD0001-aaaaaaaaaaaa&port=1")]
    [InlineData("?info_hash={ih}&peer_id=-DD0001-aaaaaaaaaaaa&port=99999")]
    [InlineData("?info_hash={ih}&peer_id=-DD0001-aaaaaaaaaaaa&port=1&event=exploded")]
    [InlineData("?info_hash={ih}&peer_id=short&port=1")]
    [InlineData("?info_hash={ih}&peer_id=-DD0001-aaaaaaaaaaaa&port=1&left=lots")]
    [InlineData("?info_hash=%zz&peer_id=-DD0001-aaaaaaaaaaaa&port=1")]
    public async Task A_malformed_announce_gets_a_bencoded_failure_reason_not_an_error_status(string query)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"{system.Ring.Nodes[0].Url}/announce{query.Replace("{ih}", InfoHash, StringComparison.Ordinal)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (BDictionary)BencodeReader.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.False(string.IsNullOrWhiteSpace(body.Require<BString>("failure reason").Text));
        Assert.False(body.ContainsKey("peers"));
    }
}
