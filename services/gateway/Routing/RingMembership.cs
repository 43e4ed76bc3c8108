using System.Collections.Immutable;
using System.Net.Http.Json;
using BitTorrent.Shared.Discovery;
using Microsoft.Extensions.Options;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// The chord nodes the gateway sends tracker requests to. Starts from multicast discovery and the
/// static seeds, then follows the ring itself (any live member lists all members), so destinations
/// appear as nodes join and disappear as they die.
/// </summary>
public sealed partial class RingMembership(
    DiscoveryListener discovery,
    IHttpClientFactory httpClients,
    IOptions<GatewayOptions> options,
    ILogger<RingMembership> logger) : BackgroundService
{
    public const string HttpClientName = "ring-membership";
    private readonly GatewayOptions _options = options.Value;
    private ImmutableArray<string> _members = [];

    /// <summary>Raised when the set of members changes.</summary>
    public event Action<IReadOnlyList<string>>? Changed;

    public ImmutableArray<string> Members => _members;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.MembershipRefreshMs));
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRefreshFailed(logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var candidates = discovery.LiveNodes.Select(n => n.Url)
            .Concat(_options.Seeds)
            .Concat(_members)
            .Select(u => u.TrimEnd('/'))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var client = httpClients.CreateClient(HttpClientName);
        foreach (var candidate in candidates)
        {
            try
            {
                var ring = await client.GetFromJsonAsync<RingMembers>($"{candidate}/api/tracker/ring", cancellationToken);
                if (ring is null || ring.Members.Count == 0) continue;
                Update([.. ring.Members.Select(m => m.Url.TrimEnd('/')).Order(StringComparer.Ordinal)]);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // That candidate is gone or not a chord node; try the next.
            }
        }
        if (candidates.Count == 0 && _members.Length > 0) Update([]);
    }

    private void Update(ImmutableArray<string> members)
    {
        if (members.SequenceEqual(_members)) return;
        _members = members;
        LogMembers(logger, members.Length, string.Join(", ", members));
        Changed?.Invoke(members);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed record RingMembers(IReadOnlyList<RingMember> Members);
    private sealed record RingMember(string Url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ring destinations ({Count}): {Members}")]
    private static partial void LogMembers(ILogger logger, int count, string members);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing ring membership failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
