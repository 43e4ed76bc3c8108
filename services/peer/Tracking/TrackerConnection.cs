using System.Collections.Concurrent;
using System.Net;
using BitTorrent.Shared.Contracts;
using BitTorrent.Shared.Discovery;
using Microsoft.Extensions.Options;
using Refit;

namespace BitTorrent.Peer.Tracking;

/// <summary>
/// The peer's link to the tracker: any chord node serves any request, so calls go to the node that answered
/// last and fall over to the next live one — a node given by hand first, then those heard by multicast, then
/// static seeds. The peer holds no ring secret and so cannot tell a real node's multicast announcement from a
/// forged one: nodes heard by multicast serve only public calls (<see cref="CallAsync{T}(Func{ITrackerApi, CancellationToken, Task{T}}, CancellationToken)"/>).
/// Calls that carry or return the peer's token (<see cref="CallAsOwnerAsync{T}"/>) go only to trusted nodes: the one
/// given by hand and the configured seeds (and heard ones too when Tracker:TrustDiscoveredNodes says so).
/// Calls go through the factory's <see cref="HttpClientName"/> client.
/// </summary>
public sealed partial class TrackerConnection(
    DiscoveryListener discovery,
    IHttpClientFactory httpClients,
    IOptions<TrackerClientOptions> options,
    ILogger<TrackerConnection> logger) : ITrackerOwnerCalls
{
    /// <summary>The named client of tracker calls (the shared handler settings).</summary>
    public const string HttpClientName = "tracker";

    private readonly DiscoveryListener _discovery = discovery;
    private readonly TrackerClientOptions _options = options.Value;
    private readonly ILogger<TrackerConnection> _logger = logger;
    private readonly ConcurrentDictionary<string, ITrackerApi> _clients = new(StringComparer.Ordinal);
    private volatile string? _current;
    private volatile string? _manual;
    private bool _warnedNoTrusted;

    /// <summary>The chord node the last successful call went to.</summary>
    public string? Current => _current;

    /// <summary>A chord node given by hand (the UI's "use this node"); tried before discovered ones.</summary>
    public string? Manual
    {
        get => _manual;
        set => _manual = string.IsNullOrWhiteSpace(value) ? null : value.Trim().TrimEnd('/');
    }

    /// <summary>A node given by hand that has just answered: tried first from now on, and the one in use at once.</summary>
    public void UseByHand(string url)
    {
        Manual = url;
        _current = _manual;
    }

    /// <summary>Every node we could use, in the order we try them.</summary>
    public IReadOnlyList<string> Candidates()
    {
        var ordered = new List<string>();
        void Add(string? url)
        {
            if (string.IsNullOrWhiteSpace(url)) return;
            url = url.TrimEnd('/');
            if (!ordered.Contains(url, StringComparer.Ordinal)) ordered.Add(url);
        }
        Add(_manual);
        Add(_current);
        foreach (var node in _discovery.LiveNodes) Add(node.Url);
        foreach (var seed in _options.Seeds) Add(seed);
        return ordered;
    }

    /// <summary>
    /// The nodes this peer's token may be sent to, in the order they are tried: the one given by hand, the one in use
    /// when it is one of these, the configured seeds; nodes heard by multicast only with Tracker:TrustDiscoveredNodes.
    /// </summary>
    public IReadOnlyList<string> TrustedCandidates()
    {
        var trusted = new List<string>();
        void Add(string? url)
        {
            if (string.IsNullOrWhiteSpace(url)) return;
            url = url.TrimEnd('/');
            if (!trusted.Contains(url, StringComparer.Ordinal)) trusted.Add(url);
        }
        Add(_manual);
        foreach (var seed in _options.Seeds) Add(seed);
        if (_options.TrustDiscoveredNodes)
            foreach (var node in _discovery.LiveNodes) Add(node.Url);
        // The node in use first, when it is one of them (it answered last).
        if (_current is { } current && trusted.Remove(current)) trusted.Insert(_manual is null || current == _manual ? 0 : 1, current);
        return trusted;
    }

    public IReadOnlyList<string> Discovered() => _discovery.LiveNodes.Select(n => n.Url).ToArray();

    /// <summary>
    /// Runs a public call (one that carries no secret) against the first node that answers; a node that is down or
    /// failing costs a retry, not an error.
    /// </summary>
    public Task<T> CallAsync<T>(Func<ITrackerApi, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        CallAsync((_, api, ct) => call(api, ct), cancellationToken);

    /// <summary>As above, for calls that need the node's URL (raw HTTP such as /announce).</summary>
    public Task<T> CallAsync<T>(Func<string, ITrackerApi, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        CallOnAsync(Candidates(), call, cancellationToken);

    /// <summary>
    /// Runs a call that carries or returns the peer's token (register, update, publish as this peer) on trusted
    /// nodes only (<see cref="TrustedCandidates"/>); with none, it fails as if no node answered.
    /// </summary>
    public Task<T> CallAsOwnerAsync<T>(Func<ITrackerApi, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var trusted = TrustedCandidates();
        if (trusted.Count == 0 && !_warnedNoTrusted)
        {
            _warnedNoTrusted = true;
            LogNoTrustedNode(_logger);
        }
        return CallOnAsync(trusted, (_, api, ct) => call(api, ct), cancellationToken);
    }

    private async Task<T> CallOnAsync<T>(IReadOnlyList<string> candidates, Func<string, ITrackerApi, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        Exception? last = null;
        // A node given by hand while this call was under way wins: this call must not move "current" back.
        var manualAtStart = _manual;
        foreach (var url in candidates)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            try
            {
                var result = await call(url, Client(url), timeout.Token);
                // Calls typed IApiResponse report failures in the response instead of throwing: a node that
                // answered 5xx, or never answered at all (refused, unknown name), is skipped like a throw.
                if (result is IApiResponse failed && (failed.StatusCode >= HttpStatusCode.InternalServerError || failed.Error is { } error && error is not ApiException))
                {
                    last = new HttpRequestException($"{url} failed: {failed.Error?.Message ?? $"status {failed.StatusCode}"}");
                    LogNodeFailed(_logger, url, last.Message);
                    if (string.Equals(_current, url, StringComparison.Ordinal)) _current = null;
                    continue;
                }
                if (!string.Equals(_current, url, StringComparison.Ordinal) && ReferenceEquals(_manual, manualAtStart))
                {
                    LogUsing(_logger, url);
                    _current = url;
                }
                return result;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                last = e;
                LogNodeFailed(_logger, url, e.Message);
                if (string.Equals(_current, url, StringComparison.Ordinal)) _current = null;
            }
        }
        throw new TrackerUnavailableException(last);
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        ApiException api => (int)api.StatusCode >= 500,
        ApiExceptionBase => true, // the request never got an answer (refused, reset, unknown host)
        HttpRequestException or IOException => true,
        _ => false,
    };

    private ITrackerApi Client(string url) =>
        _clients.GetOrAdd(url, u =>
        {
            var http = httpClients.CreateClient(HttpClientName);
            http.BaseAddress = new Uri(u);
            http.Timeout = Timeout.InfiniteTimeSpan; // each call has its own timeout (TrackerClientOptions)
            return RestService.For<ITrackerApi>(http);
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "No trusted tracker node: set Tracker:Seeds (or give a node by hand); nodes heard by multicast are not sent this peer's token unless Tracker:TrustDiscoveredNodes is true")]
    private static partial void LogNoTrustedNode(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Using tracker node {Url}")]
    private static partial void LogUsing(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tracker node {Url} failed: {Reason}; trying another")]
    private static partial void LogNodeFailed(ILogger logger, string url, string reason);
}
