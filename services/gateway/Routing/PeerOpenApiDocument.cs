using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// The peer's OpenAPI document for Swagger UI, taken from a registered peer and given the server
/// /peers/{peerId} so that Swagger UI calls the peer through the gateway. Peers come and go, so the
/// last document a peer served is kept and served while none answers; before any peer has answered,
/// a request waits a little for one (a system just started registers its peers within seconds).
/// </summary>
public sealed partial class PeerOpenApiDocument(
    PeerDirectory directory,
    IHttpClientFactory httpClients,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<PeerOpenApiDocument> logger)
{
    public const string Path = "/openapi/peer.json";

    /// <summary>The named client documents are fetched with (a peer serves its document from a file, made when it was built).</summary>
    public const string HttpClientName = "peer-openapi";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private volatile string? _lastServed;

    public async Task<IResult> GetAsync(CancellationToken cancellationToken)
    {
        var wait = options.Value.PeerDocumentWait;
        using var patience = new CancellationTokenSource(wait, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, patience.Token);
        while (true)
        {
            var document = await TryFetchAsync(cancellationToken) ?? _lastServed;
            if (document is not null)
            {
                _lastServed = document;
                return TypedResults.Text(document, "application/json");
            }
            try
            {
                await Task.Delay(RetryDelay, time, waiting.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return TypedResults.Problem(title: "No peer yet",
                    detail: $"No peer served its API description within {wait.TotalSeconds:0} s. Start one (make peer), then reload.",
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }
    }

    /// <summary>The document of the most recently seen registered peer that serves one, with the gateway as its server.</summary>
    private async Task<string?> TryFetchAsync(CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(HttpClientName);
        foreach (var peer in await directory.RegisteredAsync(cancellationToken))
        {
            try
            {
                var json = await client.GetStringAsync($"{peer.ApiUrl!.TrimEnd('/')}/openapi/v1.json", cancellationToken);
                if (JsonNode.Parse(json) is not JsonObject document) continue;
                document["servers"] = new JsonArray(new JsonObject
                {
                    ["url"] = "/peers/{peerId}",
                    ["description"] = "A peer, through the gateway",
                    ["variables"] = new JsonObject { ["peerId"] = new JsonObject { ["default"] = peer.PeerId.ToString(CultureInfo.InvariantCulture) } },
                });
                return document.ToJsonString();
            }
            catch (Exception e) when (e is HttpRequestException or JsonException
                                      || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogPeerDidNotServe(logger, peer.PeerId, e.Message);
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Peer {PeerId} did not serve its OpenAPI document: {Reason}")]
    private static partial void LogPeerDidNotServe(ILogger logger, long peerId, string reason);
}
