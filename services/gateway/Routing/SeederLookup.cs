using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Options;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// What the content relay needs from the ring's tracker: a file's .torrent (its files and lengths; kept, since an
/// info-hash names one torrent forever) and the API urls of its live seeders that are our peers (a swarm member found
/// in the peer registry through <see cref="PeerDirectory"/>, by its transfer address or numeric id). Any member
/// answers; the next is asked when one fails.
/// </summary>
public sealed partial class SeederLookup(
    RingMembership membership, PeerDirectory directory, IHttpClientFactory httpClients, IOptions<GatewayOptions> options, TimeProvider time, ILogger<SeederLookup> logger)
{
    /// <summary>At most this many torrents are kept; beyond it the cache starts again.</summary>
    private const int MaxCachedTorrents = 256;

    /// <summary>The largest .torrent read from the ring (the tracker's own limit is smaller).</summary>
    private const int MaxTorrentBytes = 32 * 1024 * 1024;

    /// <summary>At most this many seeders are tried for one response.</summary>
    public const int MaxSeeders = 16;

    private readonly ConcurrentDictionary<Id160, TorrentMetainfo> _torrents = new();
    private readonly TimeSpan _registeredTtl = options.Value.PeerCacheDuration;
    private volatile Registered? _registered;

    public enum Outcome { Found, Unknown, TrackerUnavailable }

    public async Task<(Outcome Outcome, TorrentMetainfo? Torrent)> TorrentAsync(Id160 infoHash, CancellationToken cancellationToken)
    {
        if (_torrents.TryGetValue(infoHash, out var cached)) return (Outcome.Found, cached);
        var client = httpClients.CreateClient(RingMembership.HttpClientName);
        foreach (var member in membership.Members)
        {
            try
            {
                using var response = await client.GetAsync($"{member}/api/tracker/files/{infoHash}/torrent", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound) return (Outcome.Unknown, null);
                if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength is > MaxTorrentBytes) continue;
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (!TorrentMetainfo.TryParse(bytes, TorrentMetainfo.MaxAcceptedPieceLength, out var torrent, out var error) || torrent.InfoHash != infoHash)
                {
                    LogBadTorrent(logger, infoHash.ToString(), member, error ?? "another info-hash");
                    continue;
                }
                if (_torrents.Count >= MaxCachedTorrents) _torrents.Clear();
                _torrents[infoHash] = torrent;
                return (Outcome.Found, torrent);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogMemberFailed(logger, member, e.Message);
            }
        }
        return (Outcome.TrackerUnavailable, null);
    }

    /// <summary>The API urls of the file's live seeders among our peers, in random order (to spread the load); none when the tracker does not answer.</summary>
    public async Task<IReadOnlyList<(long PeerId, string ApiUrl)>> SeedersAsync(Id160 infoHash, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(RingMembership.HttpClientName);
        foreach (var member in membership.Members)
        {
            TrackerFileDetails? details;
            try
            {
                using var response = await client.GetAsync($"{member}/api/tracker/files/{infoHash}", cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound) return [];
                if (!response.IsSuccessStatusCode) continue;
                details = await response.Content.ReadFromJsonAsync<TrackerFileDetails>(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogMemberFailed(logger, member, e.Message);
                continue;
            }
            // Our peers announce with their BitTorrent peer_id, so a seeder is matched to a registered peer by its
            // transfer address; one that joined through the REST API has its numeric id.
            var swarm = (details?.Peers ?? []).Where(p => p.Seeder).ToArray();
            Random.Shared.Shuffle(swarm);
            var registered = swarm.Any(p => !long.TryParse(p.PeerId, out _)) ? await RegisteredAsync(cancellationToken) : [];
            var seeders = new List<(long, string)>();
            foreach (var entry in swarm)
            {
                if (seeders.Count == MaxSeeders) break;
                PeerInfo? peer;
                if (long.TryParse(entry.PeerId, out var id))
                {
                    var (outcome, found) = await directory.FindAsync(id, cancellationToken);
                    peer = outcome == PeerDirectory.Outcome.Found ? found : null;
                }
                else
                {
                    peer = registered.FirstOrDefault(p => p.TransferPort == entry.Port && string.Equals(p.TransferHost, entry.Host, StringComparison.OrdinalIgnoreCase));
                }
                if (peer?.ApiUrl is { } url && PeerAddressRules.ApiUrlRefusal(url) is null && seeders.All(s => s.Item1 != peer.PeerId))
                    seeders.Add((peer.PeerId, url.TrimEnd('/')));
            }
            return seeders;
        }
        return [];
    }

    /// <summary>The registered peers (their transfer addresses and API urls), reused for a few seconds.</summary>
    private async Task<IReadOnlyList<PeerInfo>> RegisteredAsync(CancellationToken cancellationToken)
    {
        if (_registered is { } cached && cached.Expires > time.GetUtcNow()) return cached.Peers;
        var peers = await directory.RegisteredAsync(cancellationToken);
        _registered = new Registered(peers, time.GetUtcNow() + _registeredTtl);
        return peers;
    }

    private sealed record Registered(IReadOnlyList<PeerInfo> Peers, DateTimeOffset Expires);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chord node {Member} sent a .torrent for {InfoHash} that is not one: {Error}")]
    private static partial void LogBadTorrent(ILogger logger, string infoHash, string member, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Chord node {Member} did not answer a content lookup: {Reason}")]
    private static partial void LogMemberFailed(ILogger logger, string member, string reason);
}
