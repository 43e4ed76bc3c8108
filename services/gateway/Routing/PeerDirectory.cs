using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using BitTorrent.Shared.Contracts.Tracker;
using Microsoft.Extensions.Options;

namespace BitTorrent.Gateway.Routing;

/// <summary>Where each peer's API lives, from the tracker's peer registry, cached briefly.</summary>
public sealed class PeerDirectory(RingMembership membership, IHttpClientFactory httpClients, IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<long, (PeerInfo? Peer, DateTimeOffset Expires)> _cache = new();
    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(options.Value.PeerCacheSeconds);

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
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // Try the next member.
            }
        }
        return (Outcome.TrackerUnavailable, null);
    }

    /// <summary>Any registered peer with an API at an address the gateway forwards to (for the peer's OpenAPI document).</summary>
    public async Task<PeerInfo?> AnyAsync(CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(RingMembership.HttpClientName);
        foreach (var member in membership.Members)
        {
            try
            {
                var peers = await client.GetFromJsonAsync<PeerInfo[]>($"{member}/api/tracker/peers", cancellationToken);
                return peers?.Where(p => PeerAddressRules.ApiUrlRefusal(p.ApiUrl) is null).OrderByDescending(p => p.LastSeen).FirstOrDefault();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
            }
        }
        return null;
    }

    public void Forget(long peerId) => _cache.TryRemove(peerId, out _);
}
