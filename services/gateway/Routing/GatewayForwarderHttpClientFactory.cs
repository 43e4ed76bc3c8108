using BitTorrent.Shared.Http;
using Yarp.ReverseProxy.Forwarder;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// YARP's client factory with the shared handler settings on every client it makes (the ring
/// cluster's and <see cref="PeerForwarder"/>'s), and <see cref="FailoverHandler"/> in front of
/// every ring request; peer connections go through <see cref="PeerAddressConnector"/>.
/// </summary>
public sealed class GatewayForwarderHttpClientFactory(RingMembership membership) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        // The shared settings first; whatever a cluster's own HttpClient configuration says still wins.
        HttpHandlerSettings.Default.Apply(handler);
        base.ConfigureHandler(context, handler);
        // Peers are reached only at addresses a peer may have, whatever their host names resolve to.
        if (context.ClusterId == PeerForwarder.ClientName) handler.ConnectCallback = PeerAddressConnector.ConnectAsync;
    }

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        context.ClusterId == RingProxyConfig.Cluster ? new FailoverHandler(membership) { InnerHandler = handler } : handler;
}
