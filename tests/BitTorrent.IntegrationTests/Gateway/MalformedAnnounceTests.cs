using System.Net;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Bencode;

namespace BitTorrent.IntegrationTests.Gateway;

/// <summary>A 2-node ring and the gateway in front of it, shared by the cases below (a malformed announce changes nothing).</summary>
public sealed class GatewayOverTwoNodesFixture : IAsyncLifetime
{
    public ChordRing Ring { get; } = new();
    public ServiceProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Ring.StartAsync(2);
        await Ring.WaitConvergedAsync();
        Gateway = await GatewayProcess.StartAsync(Ring);
    }

    public async Task DisposeAsync()
    {
        if (Gateway is not null) await Gateway.DisposeAsync();
        await Ring.DisposeAsync();
    }
}

/// <summary>An announce the gateway cannot read is answered as a tracker answers it: a bencoded failure reason, not an error status.</summary>
public sealed class MalformedAnnounceTests(GatewayOverTwoNodesFixture system) : IClassFixture<GatewayOverTwoNodesFixture>
{
    [Theory]
    [InlineData("")]
    [InlineData("?info_hash=short&peer_id=-DD0001-aaaaaaaaaaaa&port=1")]
    [InlineData("?info_hash=%zz&peer_id=-DD0001-aaaaaaaaaaaa&port=1")]
    [InlineData("?info_hash=%01%02%03%04%05%06%07%08%09%10%11%12%13%14%15%16%17%18%19%20&peer_id=short&port=1")]
    public async Task A_malformed_announce_through_the_gateway_gets_a_bencoded_failure_reason(string query)
    {
        using var http = new HttpClient { BaseAddress = new Uri(system.Gateway.Url) };

        using var response = await http.GetAsync("/announce" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (BDictionary)BencodeReader.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.False(string.IsNullOrWhiteSpace(body.Require<BString>("failure reason").Text));
        Assert.False(body.ContainsKey("peers"));
    }
}
