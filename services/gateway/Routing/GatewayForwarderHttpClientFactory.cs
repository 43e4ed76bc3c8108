using BitTorrent.Shared.Http;
using Yarp.ReverseProxy.Forwarder;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// YARP's client factory with the shared handler settings on every client it makes (the ring
/// cluster's and <see cref="PeerForwarder"/>'s), and <see cref="FailoverHandler"/> in front of
/// every ring request.
/// </summary>
public sealed class GatewayForwarderHttpClientFactory(RingMembership membership) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        // The shared settings first; whatever a cluster's own HttpClient configuration says still wins.
        HttpHandlerSettings.Default.Apply(handler);
        base.ConfigureHandler(context, handler);
    }

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        context.ClusterId == RingProxyConfig.Cluster ? new FailoverHandler(membership) { InnerHandler = handler } : handler;
}
