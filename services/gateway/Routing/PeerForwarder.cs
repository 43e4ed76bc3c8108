using System.Globalization;
using BitTorrent.Shared.Contracts.Tracker;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// Forwards /peers/{peerId}/{**rest} to that peer's own API and UI, found in the tracker's peer
/// registry: an unknown peer is a 404, an unreachable one a 502, and no tracker a 503. Only registered
/// peers are reached, and never at a link-local, cloud metadata, multicast or unspecified address
/// (<see cref="PeerAddressRules"/>): the url is checked here, and every address a host name resolves to is
/// checked when the connection is made (<see cref="PeerAddressConnector"/>), so a name that points at
/// 169.254.169.254 is refused too. The client comes from YARP's factory, so it has the shared handler settings.
/// </summary>
public sealed class PeerForwarder(PeerDirectory directory, IHttpForwarder forwarder, IForwarderHttpClientFactory clients, IOptions<GatewayOptions> options)
{
    /// <summary>The name peer forwarding's client is made under (no cluster of that name exists).</summary>
    public const string ClientName = "peers";

    private readonly HttpMessageInvoker _invoker = clients.CreateClient(new ForwarderHttpClientContext
    {
        ClusterId = ClientName,
        OldConfig = HttpClientConfig.Empty,
        OldMetadata = null,
        OldClient = null,
        NewConfig = HttpClientConfig.Empty,
        NewMetadata = null,
    });

    public async Task ForwardAsync(HttpContext context, string peerId, string? rest)
    {
        if (string.IsNullOrEmpty(rest) && !context.Request.Path.Value!.EndsWith('/'))
        {
            // The UI uses relative links: they resolve under /peers/{id}/ only with the slash.
            context.Response.Redirect($"/peers/{Uri.EscapeDataString(peerId)}/{context.Request.QueryString}");
            return;
        }
        if (IsMetrics(rest))
        {
            // A peer's metrics are for the operator's scraper, which reaches the peer itself; not for the public.
            await Problem(context, 404, "Not forwarded", "A peer's /metrics is not served through the gateway.");
            return;
        }
        if (!long.TryParse(peerId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            await Problem(context, 404, "Unknown peer", $"'{peerId}' is not a peer id: peer ids are numbers.");
            return;
        }
        var (outcome, peer) = await directory.FindAsync(id, context.RequestAborted);
        if (outcome == PeerDirectory.Outcome.TrackerUnavailable)
        {
            await Problem(context, 503, "Tracker unavailable", "No chord node answered, so the gateway cannot tell where the peer is. Try again shortly.");
            return;
        }
        if (outcome == PeerDirectory.Outcome.Unknown || string.IsNullOrEmpty(peer?.ApiUrl))
        {
            await Problem(context, 404, "Unknown peer", $"Peer {id} is not registered with the tracker.");
            return;
        }
        if (PeerAddressRules.ApiUrlRefusal(peer.ApiUrl) is { } refusal)
        {
            await Problem(context, 502, "Peer address refused", $"Peer {id} is registered at an address the gateway does not forward to ({refusal}).");
            return;
        }
        var bodyLimit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodyLimit is { IsReadOnly: false }) bodyLimit.MaxRequestBodySize = options.Value.MaxPeerBodyBytes;

        var error = await forwarder.SendAsync(context, peer.ApiUrl, _invoker,
            new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(2) },
            new PrefixStrippingTransformer($"/peers/{id}", "/" + (rest ?? "")));
        if (error != ForwarderError.None)
        {
            directory.Forget(id);
            if (!context.Response.HasStarted)
                await Problem(context, 502, "Peer unreachable", $"Peer {id} is registered at {peer.ApiUrl} but does not answer.");
        }
    }

    /// <summary>Whether the path under /peers/{id}/ is the peer's metrics endpoint (however its slashes and case are written).</summary>
    public static bool IsMetrics(string? rest)
    {
        var path = (rest ?? "").Trim('/');
        return path.Equals("metrics", StringComparison.OrdinalIgnoreCase) || path.StartsWith("metrics/", StringComparison.OrdinalIgnoreCase);
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);

    /// <summary>Sends the request to the peer's own path (without /peers/{id}) and tells it the prefix, host and scheme it is served under.</summary>
    private sealed class PrefixStrippingTransformer(string prefix, string path) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(path), httpContext.Request.QueryString);
            // Set, never appended to what the client sent: the peer scopes its session cookie to the prefix and checks
            // a changing request's Origin against the host and scheme the browser used (the gateway's).
            proxyRequest.Headers.Remove("X-Forwarded-Prefix");
            proxyRequest.Headers.Remove("X-Forwarded-Host");
            proxyRequest.Headers.Remove("X-Forwarded-Proto");
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", prefix);
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Host", httpContext.Request.Host.Value);
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", httpContext.Request.Scheme);
            proxyRequest.Headers.Host = null;
        }
    }
}
