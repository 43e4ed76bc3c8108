using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BitTorrent.Shared.Contracts.Tracker;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// /peers/{peerId}/{**rest} goes to that peer's own API and UI, found in the tracker's peer
/// registry: an unknown peer is a 404, an unreachable one a 502, and no tracker a 503. Only registered
/// peers are reached, and never at a link-local, cloud metadata, multicast or unspecified address
/// (<see cref="PeerAddressRules"/>): the url is checked, and so is every address a host name resolves to
/// when the connection is made, so a name that points at 169.254.169.254 is refused too.
/// </summary>
public static class PeerForwarding
{
    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(3),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        ConnectCallback = ConnectToAllowedAddressAsync,
    });

    /// <summary>Resolves the peer's host and connects only to an address a peer may have.</summary>
    private static async ValueTask<Stream> ConnectToAllowedAddressAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => PeerAddressRules.Refusal(a) is null).ToArray();
        if (allowed.Length == 0)
            throw new HttpRequestException($"{host} resolves to no address a peer may have (link-local, metadata, multicast or unspecified).");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static IEndpointRouteBuilder MapPeerForwarding(this IEndpointRouteBuilder app)
    {
        app.Map("/peers/{peerId}/{**rest}", ForwardAsync)
            .WithTags("Peers").WithName("PeerApi").WithSummary("Any request to a peer")
            .WithDescription("Forwards the request to the peer's API url registered with the tracker, without the /peers/{peerId} prefix: /peers/1/api/files is peer 1's /api/files, /peers/1/ its web UI (/peers/1 redirects there, so the UI's relative links resolve). 404 when the tracker does not know the peer, 502 when it cannot be reached, 503 when no chord node answers.")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireRateLimiting(GatewayRateLimits.Public);
        app.MapGet("/openapi/peer.json", PeerDocumentAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task ForwardAsync(HttpContext context, string peerId, string? rest,
        PeerDirectory directory, IHttpForwarder forwarder, IOptions<GatewayOptions> options)
    {
        if (string.IsNullOrEmpty(rest) && !context.Request.Path.Value!.EndsWith('/'))
        {
            // The UI uses relative links: they resolve under /peers/{id}/ only with the slash.
            context.Response.Redirect($"/peers/{Uri.EscapeDataString(peerId)}/{context.Request.QueryString}");
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

        var error = await forwarder.SendAsync(context, peer.ApiUrl, Invoker,
            new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(2) },
            new PrefixStrippingTransformer($"/peers/{id}", "/" + (rest ?? "")));
        if (error != ForwarderError.None)
        {
            directory.Forget(id);
            if (!context.Response.HasStarted)
                await Problem(context, 502, "Peer unreachable", $"Peer {id} is registered at {peer.ApiUrl} but does not answer.");
        }
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);

    /// <summary>A live peer's OpenAPI document, with its server set to /peers/{peerId} so Swagger UI calls it through the gateway.</summary>
    private static async Task<IResult> PeerDocumentAsync(PeerDirectory directory, IHttpClientFactory clients, CancellationToken cancellationToken)
    {
        var peer = await directory.AnyAsync(cancellationToken);
        if (peer?.ApiUrl is null)
            return TypedResults.Problem(title: "No peer", detail: "No peer is registered yet, so there is no peer API to describe. Start one (make peer).", statusCode: 404);
        try
        {
            var client = clients.CreateClient(RingMembership.HttpClientName);
            var document = JsonNode.Parse(await client.GetStringAsync($"{peer.ApiUrl.TrimEnd('/')}/openapi/v1.json", cancellationToken))!.AsObject();
            document["servers"] = new JsonArray(new JsonObject
            {
                ["url"] = "/peers/{peerId}",
                ["description"] = "A peer, through the gateway",
                ["variables"] = new JsonObject { ["peerId"] = new JsonObject { ["default"] = peer.PeerId.ToString(CultureInfo.InvariantCulture) } },
            });
            return TypedResults.Text(document.ToJsonString(), "application/json");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return TypedResults.Problem(title: "Peer unreachable", detail: $"Peer {peer.PeerId} did not serve its OpenAPI document.", statusCode: 502);
        }
    }

    private sealed class PrefixStrippingTransformer(string prefix, string path) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(path), httpContext.Request.QueryString);
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", prefix);
            proxyRequest.Headers.Host = null;
        }
    }
}
