using System.Net;
using System.Net.Http.Json;
using System.Text;
using BitTorrent.ChordNode.Storage;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Contracts.Tracker;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Trust;

/// <summary>
/// The gateway's /peers/{id}/** reaches registered peers only, and never a link-local or cloud metadata address:
/// the tracker refuses such a registration, and a record that holds one anyway (written straight into the store,
/// as a record from before the rule would) is not forwarded to.
/// </summary>
public sealed class GatewayRefusesMetadataAddressesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_peer_record_pointing_at_169_254_169_254_is_refused_at_registration_and_never_forwarded_to()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        using var gateway = new HttpClient { BaseAddress = new Uri(gatewayProcess.Url) };

        // Registering at the metadata address is refused, through the gateway as directly.
        using (var registration = await gateway.PostAsJsonAsync("/api/tracker/peers", new PeerRegistration("127.0.0.1", 7001, "http://169.254.169.254/latest/meta-data/")))
            Assert.Equal(HttpStatusCode.BadRequest, registration.StatusCode);
        using (var registration = await gateway.PostAsJsonAsync("/api/tracker/peers", new PeerRegistration("127.0.0.1", 7001, "http://[fd00:ec2::254]/")))
            Assert.Equal(HttpStatusCode.BadRequest, registration.StatusCode);

        // A record that points there anyway is not forwarded to.
        foreach (var (id, url) in new[] { (9001L, "http://169.254.169.254"), (9002L, "http://[::ffff:169.254.169.254]"), (9003L, "http://0.0.0.0:80") })
        {
            var record = $$"""{"peerId":{{id}},"transferHost":"127.0.0.1","transferPort":7001,"apiUrl":"{{url}}","lastSeen":"2026-11-30T00:00:00+00:00","tokenHash":null}""";
            await ring.ExecuteAsync(ring.Nodes[0], new DhtOperation($"peer/{id}", DhtOperationKind.Put, Value: Encoding.UTF8.GetBytes(record)));
            using var forwarded = await gateway.GetAsync($"/peers/{id}/latest/meta-data/iam/security-credentials/");
            var body = await forwarded.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadGateway, forwarded.StatusCode);
            Assert.Contains("Peer address refused", body, StringComparison.Ordinal);
        }

        // The gateway still forwards to a registered peer at an ordinary address.
        using var peerThroughGateway = await peer.ThroughGatewayAsync(gatewayProcess.Url);
        var me = await peerThroughGateway.GetFromJsonAsync<BitTorrent.Peer.Api.MeView>("api/me", ChordRing.Json);
        Assert.Equal(peer.Url, me!.ApiUrl);
    }
}
