using System.Collections.Concurrent;
using System.Net;
using BitTorrent.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace BitTorrent.Gateway.Api;

/// <summary>
/// The gateway's own look at each peer: a GET of the peer's open <c>/readyz</c>, cached for
/// <see cref="GatewayOptions.PeerProbeInterval"/> so a page that polls does not make the gateway poll the fleet
/// faster than that. Probes go through <see cref="HttpClientName"/>, whose connections are made only to addresses a
/// peer may have (<see cref="PeerAddressConnector"/>), at most <see cref="Parallelism"/> at a time.
/// </summary>
public sealed partial class PeerHealthProbe(IHttpClientFactory httpClients, IOptions<GatewayOptions> options, TimeProvider time, ILogger<PeerHealthProbe> logger)
{
    public const string HttpClientName = "peer-probe";
    public const int Parallelism = 16;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (bool? Ready, DateTimeOffset CheckedAt)> _results = new(StringComparer.Ordinal);

    /// <summary>Each api url's readiness (true, false, or null when it did not answer), probing those not probed lately.</summary>
    public async Task<IReadOnlyDictionary<string, bool?>> ProbeAsync(IReadOnlyCollection<string> apiUrls, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var interval = options.Value.PeerProbeInterval;
        var due = apiUrls.Where(u => !_results.TryGetValue(u, out var r) || now - r.CheckedAt >= interval).Distinct(StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (url, ct) => _results[url] = (await ProbeOneAsync(url, ct), time.GetUtcNow()));
        // Peers that left the list are forgotten, so the cache is as large as the fleet and no larger.
        foreach (var url in _results.Keys)
            if (!apiUrls.Contains(url, StringComparer.Ordinal)) _results.TryRemove(url, out _);
        return apiUrls.Distinct(StringComparer.Ordinal).ToDictionary(u => u, u => _results.TryGetValue(u, out var r) ? r.Ready : null, StringComparer.Ordinal);
    }

    private async Task<bool?> ProbeOneAsync(string apiUrl, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).GetAsync($"{apiUrl.TrimEnd('/')}/readyz", timeout.Token);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, apiUrl, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Peer at {ApiUrl} did not answer its readiness probe: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string apiUrl, string reason);
}
