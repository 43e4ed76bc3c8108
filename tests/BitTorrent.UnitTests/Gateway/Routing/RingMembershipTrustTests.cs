using System.Net;
using BitTorrent.Gateway.Routing;
using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.Gateway.Routing;

/// <summary>
/// The gateway forwards users' requests (and their tokens) to the members it lists, so it follows only nodes heard
/// in announcements it could verify: without the ring secret it asks its seeds alone.
/// </summary>
public sealed class RingMembershipTrustTests
{
    private const string Heard = "http://127.0.0.1:5999";
    private const string Seed = "http://127.0.0.1:5101";

    [Fact]
    public async Task Without_the_ring_secret_nodes_heard_by_multicast_are_never_contacted()
    {
        var asked = await AskedAsync(DiscoveryKey.None);
        Assert.DoesNotContain(asked, u => u.StartsWith(Heard, StringComparison.Ordinal));
        Assert.Contains(asked, u => u.StartsWith(Seed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_the_ring_secret_verified_nodes_are_followed()
    {
        var asked = await AskedAsync(new DiscoveryKey("the-ring-secret-of-this-test"));
        Assert.Contains(asked, u => u.StartsWith(Heard, StringComparison.Ordinal));
    }

    private static async Task<List<string>> AskedAsync(DiscoveryKey key)
    {
        var discovery = new DiscoveryListener(Options.Create(new DiscoveryOptions()), NullLogger<DiscoveryListener>.Instance, TimeProvider.System, key);
        // What the receive loop would let through: with a key only verified announcements reach Observe.
        discovery.Observe(new NodeAnnouncement(Id160.Hash(Heard), Heard));
        var handler = new RecordingHandler();
        var membership = new RingMembership(discovery, new SingleClientFactory(handler),
            Options.Create(new GatewayOptions { Seeds = [Seed] }), NullLogger<RingMembership>.Instance);
        await membership.RefreshAsync(CancellationToken.None);
        return handler.Asked;
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<string> Asked { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Asked) Asked.Add(request.RequestUri!.ToString());
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }
    }

    private sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
