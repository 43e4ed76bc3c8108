using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using BitTorrent.Shared.Contracts.Tracker;
using Microsoft.Extensions.Options;

namespace BitTorrent.Gateway.Routing;

/// <summary>Where each peer's API lives, from the tracker's peer registry, cached briefly.</summary>
public sealed class PeerDirectory(RingMembership membership, IHttpClientFactory httpClients, IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<long, (PeerInfo? Peer, DateTimeOffset Expires)> _cache = new();
    private readonly TimeSpan _ttl = options.Value.PeerCacheDuration;

    public enum Outcome { Found, Unknown, TrackerUnavailable }

    public async Task<(Outcome Outcome, PeerInfo? Peer)> FindAsync(long peerId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(peerId, out var cached) && cached.Expires > time.GetUtcNow() && cached.Peer is not null)
            return (Outcome.Found, cached.Peer);
        var client = httpClients.CreateClient(RingMembership.HttpClientName);
        foreach (var member in membership.Members)
        {
            try
            {
                using var response = await client.GetAsync($"{member}/api/tracker/peers/{peerId}", cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound) return (Outcome.Unknown, null);
                if (!response.IsSuccessStatusCode) continue;
                var peer = await response.Content.ReadFromJsonAsync<PeerInfo>(cancellationToken);
                if (peer is null) continue;
                _cache[peerId] = (peer, time.GetUtcNow() + _ttl);
                return (Outcome.Found, peer);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                // Try the next member.
            }
        }
        return (Outcome.TrackerUnavailable, null);
    }

    /// <summary>
    /// Registered peers with an API url at an address the gateway forwards to (<see cref="PeerAddressRules"/>),
    /// most recently seen first; none when no chord node answers.
    /// </summary>
    public async Task<IReadOnlyList<PeerInfo>> RegisteredAsync(CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(RingMembership.HttpClientName);
        foreach (var member in membership.Members)
        {
            try
            {
                var peers = await client.GetFromJsonAsync<PeerInfo[]>($"{member}/api/tracker/peers", cancellationToken);
                return peers?.Where(p => PeerAddressRules.ApiUrlRefusal(p.ApiUrl) is null).OrderByDescending(p => p.LastSeen).ToList() ?? [];
            }
            catch (Exception e) when (e is HttpRequestException or JsonException
                                      || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Try the next member.
            }
        }
        return [];
    }

    public void Forget(long peerId) => _cache.TryRemove(peerId, out _);
}
