using System.Collections.Immutable;
using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Identifiers;
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
    private RingPlacement _placement = RingPlacement.Empty;

    /// <summary>Raised when the set of members changes.</summary>
    public event Action<IReadOnlyList<string>>? Changed;

    public ImmutableArray<string> Members => _members;

    /// <summary>The same members by ring id, to find the one that owns a key.</summary>
    public RingPlacement Placement => _placement;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!discovery.Verified) LogDiscoveryUnverified(logger);
        using var timer = new PeriodicTimer(_options.MembershipRefreshInterval);
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
        // Only nodes heard in signed announcements: an unverified one could be anyone's, and the gateway
        // forwards users' requests (tokens included) to what it lists here.
        var heard = discovery.Verified ? discovery.LiveNodes : [];
        var candidates = heard.Select(n => n.Url)
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
                Update([.. ring.Members.Select(m => (Id: RingId(m), Url: m.Url.TrimEnd('/'))).OrderBy(m => m.Url, StringComparer.Ordinal)]);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // That candidate is gone or not a chord node; try the next.
            }
        }
        if (candidates.Count == 0 && _members.Length > 0) Update([]);
    }

    /// <summary>A member's id as the ring reports it; SHA-1 of its URL (how nodes derive it) if unreadable.</summary>
    private static Id160 RingId(RingMember member) =>
        Id160.TryParse(member.Id, out var id) ? id : Id160.Hash(member.Url.TrimEnd('/'));

    private void Update(IReadOnlyList<(Id160 Id, string Url)> ring)
    {
        ImmutableArray<string> members = [.. ring.Select(m => m.Url)];
        if (members.SequenceEqual(_members)) return;
        _placement = new RingPlacement(ring);
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
    private sealed record RingMember(string? Id, string Url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ring destinations ({Count}): {Members}")]
    private static partial void LogMembers(ILogger logger, int count, string members);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Gateway:RingSecret: multicast announcements cannot be verified, so only Gateway:Seeds are followed")]
    private static partial void LogDiscoveryUnverified(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing ring membership failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
