using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Options;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// The BitTorrent tracker on top of the replicated store: swarms, the partitioned catalog, torrents,
/// peer ids and addresses. Stateless itself, so any chord node can serve any request.
/// </summary>
public sealed partial class TrackerService(IDht dht, IOptions<TrackerOptions> options, TimeProvider time, ILogger<TrackerService> logger)
{
    private readonly TrackerOptions _options = options.Value;
    private readonly SwarmCountCache _counts = new(time, options.Value.CountCacheDuration);
    private readonly PeerListCache _peerLists = new();

    public TrackerOptions Options => _options;

    // ---- BitTorrent HTTP tracker ----

    /// <summary>
    /// Applies an announce to the swarm and picks peers for the requester: one DHT round trip
    /// (two on "completed", which also counts the download), answered once the swarm's primary has
    /// the change; its replicas get it write-behind.
    /// </summary>
    public async Task<AnnounceResult> AnnounceAsync(AnnounceRequest request, IPAddress remoteAddress, CancellationToken cancellationToken = default)
    {
        var member = request.PeerId.ToString();
        var host = request.Ip ?? remoteAddress;
        if (host.IsIPv4MappedToIPv6) host = host.MapToIPv4();
        SetUpdate update = request.Event == AnnounceEvent.Stopped
            ? SetUpdate.Remove(member)
            : SetUpdate.Add(member, new SwarmEntry(request.IsSeeder, member, host.ToString(), request.Port).ToJson(), ExpiresAt());

        var swarmKey = TrackerKeys.Swarm(request.InfoHash);
        // Swarm entries are soft state (they expire unless re-announced), so the primary answers from its own
        // write and replicates shortly after; a crash loses at most a few milliseconds of announces.
        var members = await dht.UpdateSetWriteBehindAsync(swarmKey, [update], cancellationToken).ConfigureAwait(false);
        if (request.Event == AnnounceEvent.Completed)
            await dht.UpdateSetAsync(TrackerKeys.Completed(request.InfoHash), [SetUpdate.Add(member, "1")], cancellationToken).ConfigureAwait(false);

        var wanted = request.Event == AnnounceEvent.Stopped ? 0 : request.NumWant;
        var (complete, incomplete) = Count(members);
        var peers = _peerLists.Select(request.InfoHash, members, exclude: member, wanted);
        _counts.Set(request.InfoHash, complete, incomplete);
        return new AnnounceResult
        {
            Complete = complete,
            Incomplete = incomplete,
            Interval = (int)_options.AnnounceInterval.TotalSeconds,
            MinInterval = (int)_options.MinAnnounceInterval.TotalSeconds,
            Peers = peers,
        };
    }

    /// <summary>Counts of each file; unknown info-hashes report zeros.</summary>
    public async Task<IReadOnlyList<ScrapeEntry>> ScrapeAsync(IReadOnlyList<Id160> infoHashes, CancellationToken cancellationToken = default)
    {
        var tasks = infoHashes.Distinct().Select(async hash =>
        {
            var swarm = dht.GetSetAsync(TrackerKeys.Swarm(hash), cancellationToken);
            var completed = dht.GetSetAsync(TrackerKeys.Completed(hash), cancellationToken);
            var (seeders, leechers) = Count(await swarm.ConfigureAwait(false));
            _counts.Set(hash, seeders, leechers);
            return new ScrapeEntry(hash, seeders, leechers, (await completed.ConfigureAwait(false)).Count);
        });
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private static (int Seeders, int Leechers) Count(IReadOnlyList<SetMember> members)
    {
        var seeders = 0;
        foreach (var m in members)
            if (SwarmEntry.IsSeederJson(m.Value)) seeders++;
        return (seeders, members.Count - seeders);
    }

    private long ExpiresAt() => (time.GetUtcNow() + _options.PeerTtl).ToUnixTimeMilliseconds();

    // ---- Files: publish, catalog, metadata ----

    /// <summary>
    /// Validates and publishes a .torrent: stores it, adds it to its catalog partition and the name index. Idempotent.
    /// An invalid torrent throws <see cref="InvalidTorrentException"/> with the reason, before anything is stored.
    /// </summary>
    public async Task<PublishedTorrent> PublishAsync(byte[] torrent, CancellationToken cancellationToken = default)
    {
        if (!TryRead(torrent, out var metainfo, out var error)) throw new InvalidTorrentException(error);

        var hash = metainfo.InfoHash;
        var hex = hash.ToString();
        var torrentKey = TrackerKeys.Torrent(hash);
        var existing = await dht.GetAsync(torrentKey, cancellationToken).ConfigureAwait(false);
        // The first publisher's bytes stay (same info dict, perhaps another announce url); the indexes are
        // written again regardless, which repairs a publish that failed halfway.
        var store = existing is null ? dht.PutAsync(torrentKey, torrent, cancellationToken) : Task.CompletedTask;
        var catalogEntry = JsonSerializer.Serialize(new CatalogEntry(hex, metainfo.Name, metainfo.Length), TrackerJsonContext.Default.CatalogEntry);
        var catalog = dht.UpdateSetAsync(TrackerKeys.Catalog(hash.Mod(_options.CatalogPartitions)), [SetUpdate.Add(hex, catalogEntry)], cancellationToken);
        var name = dht.UpdateSetAsync(TrackerKeys.Name(metainfo.Name), [SetUpdate.Add(hex, hex)], cancellationToken);
        await Task.WhenAll(store, catalog, name).ConfigureAwait(false);

        if (existing is null) LogPublished(hex, metainfo.Name, metainfo.Length);
        return new PublishedTorrent(hex, metainfo.Name, metainfo.Length, metainfo.PieceLength, metainfo.PieceCount, Created: existing is null);
    }

    /// <summary>A torrent the tracker accepts: any valid single-file torrent whose name is a <see cref="SafeName"/>.</summary>
    public static bool TryRead(byte[] torrent, [NotNullWhen(true)] out TorrentMetainfo? metainfo, [NotNullWhen(false)] out string? error)
    {
        if (!TorrentMetainfo.TryParse(torrent, int.MaxValue, out metainfo, out error)) return false;
        if (SafeName.IsValid(metainfo.Name, out var reason)) return true;
        metainfo = null;
        error = $"info: 'name' is not a plain file name: {reason}";
        return false;
    }

    /// <summary>
    /// The catalog (all partitions read in parallel), filtered by a case-insensitive name substring, with
    /// live counts (reused for <see cref="TrackerOptions.CountCacheDuration"/> when this node saw them recently).
    /// </summary>
    public async Task<IReadOnlyList<TrackerFileSummary>> ListFilesAsync(string? search, CancellationToken cancellationToken = default)
    {
        var partitions = await Task.WhenAll(Enumerable.Range(0, _options.CatalogPartitions)
            .Select(p => dht.GetSetAsync(TrackerKeys.Catalog(p), cancellationToken))).ConfigureAwait(false);

        var entries = new List<CatalogEntry>();
        foreach (var partition in partitions)
        {
            foreach (var member in partition)
            {
                var entry = Deserialize(member.Value, TrackerJsonContext.Default.CatalogEntry);
                if (entry is null || !Id160.TryParse(entry.InfoHash, out _)) continue;
                if (string.IsNullOrEmpty(search) || entry.Name.Contains(search, StringComparison.OrdinalIgnoreCase))
                    entries.Add(entry);
            }
        }

        var results = new TrackerFileSummary[entries.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, entries.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var entry = entries[i];
                var hash = Id160.Parse(entry.InfoHash);
                if (!_counts.TryGet(hash, out var seeders, out var leechers))
                {
                    (seeders, leechers) = Count(await dht.GetSetAsync(TrackerKeys.Swarm(hash), ct).ConfigureAwait(false));
                    _counts.Set(hash, seeders, leechers);
                }
                results[i] = new TrackerFileSummary(entry.InfoHash, entry.Name, entry.Length, seeders, leechers);
            }).ConfigureAwait(false);
        Array.Sort(results, static (a, b) =>
        {
            var byName = string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase);
            return byName != 0 ? byName : string.CompareOrdinal(a.InfoHash, b.InfoHash);
        });
        return results;
    }

    /// <summary>A file's metadata and live swarm, or null when it was never published.</summary>
    public async Task<TrackerFileDetails?> GetFileAsync(Id160 infoHash, CancellationToken cancellationToken = default)
    {
        var torrentTask = dht.GetAsync(TrackerKeys.Torrent(infoHash), cancellationToken);
        var swarmTask = dht.GetSetAsync(TrackerKeys.Swarm(infoHash), cancellationToken);
        var torrent = await torrentTask.ConfigureAwait(false);
        var swarm = await swarmTask.ConfigureAwait(false);
        if (torrent is null || !TryRead(torrent, out var metainfo, out _)) return null;

        var peers = ToPeerInfos(swarm);
        var seeders = peers.Count(p => p.Seeder);
        _counts.Set(infoHash, seeders, peers.Count - seeders);
        return new TrackerFileDetails(infoHash.ToString(), metainfo.Name, metainfo.Length, metainfo.PieceLength, metainfo.PieceCount,
            seeders, peers.Count - seeders, peers);
    }

    public Task<byte[]?> GetTorrentAsync(Id160 infoHash, CancellationToken cancellationToken = default) =>
        dht.GetAsync(TrackerKeys.Torrent(infoHash), cancellationToken);

    // ---- Swarm membership for our own peers (REST) ----

    /// <summary>Adds or refreshes a peer in a published file's swarm; null when the file is unknown.</summary>
    public async Task<SwarmInfo?> JoinSwarmAsync(Id160 infoHash, long peerId, SwarmJoinRequest join, CancellationToken cancellationToken = default)
    {
        if (await dht.GetAsync(TrackerKeys.Torrent(infoHash), cancellationToken).ConfigureAwait(false) is null) return null;
        var member = peerId.ToString(CultureInfo.InvariantCulture);
        var value = new SwarmEntry(join.Seeder, member, join.Host, join.Port).ToJson();
        var members = await dht.UpdateSetAsync(TrackerKeys.Swarm(infoHash), [SetUpdate.Add(member, value, ExpiresAt())], cancellationToken).ConfigureAwait(false);
        var peers = ToPeerInfos(members);
        var seeders = peers.Count(p => p.Seeder);
        _counts.Set(infoHash, seeders, peers.Count - seeders);
        return new SwarmInfo(infoHash.ToString(), seeders, peers.Count - seeders, peers);
    }

    public async Task LeaveSwarmAsync(Id160 infoHash, long peerId, CancellationToken cancellationToken = default)
    {
        var members = await dht.UpdateSetAsync(TrackerKeys.Swarm(infoHash), [SetUpdate.Remove(peerId.ToString(CultureInfo.InvariantCulture))], cancellationToken).ConfigureAwait(false);
        var (seeders, leechers) = Count(members);
        _counts.Set(infoHash, seeders, leechers);
    }

    private static List<SwarmPeerInfo> ToPeerInfos(IReadOnlyList<SetMember> members)
    {
        var peers = new List<SwarmPeerInfo>(members.Count);
        foreach (var member in members)
        {
            if (SwarmEntry.FromJson(member.Value) is not { } entry) continue;
            DateTimeOffset? expires = member.ExpiresUnixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
            peers.Add(new SwarmPeerInfo(member.Member, entry.Host, entry.Port, entry.Seeder, expires));
        }
        return peers;
    }

    // ---- Peers: ids and addresses ----

    /// <summary>Assigns a new numeric peer id (atomic at the counter's primary) and records the peer's addresses.</summary>
    public async Task<PeerInfo> RegisterPeerAsync(PeerRegistration registration, CancellationToken cancellationToken = default)
    {
        var peerId = await dht.IncrementAsync(TrackerKeys.PeerIdCounter, cancellationToken).ConfigureAwait(false);
        var peer = await SavePeerAsync(peerId, registration, cancellationToken).ConfigureAwait(false);
        LogPeerRegistered(peerId, registration.TransferHost, registration.TransferPort);
        return peer;
    }

    /// <summary>Updates a registered peer's addresses; null when the id was never assigned (the peer must register again).</summary>
    public async Task<PeerInfo?> UpdatePeerAsync(long peerId, PeerRegistration registration, CancellationToken cancellationToken = default)
    {
        if (await GetPeerAsync(peerId, cancellationToken).ConfigureAwait(false) is not { } existing) return null;
        // An id belongs to the peer whose API it was registered with: a different API url claiming it
        // (a peer that kept an old id across a ring restart, racing the one that got it anew) must register.
        if (existing.ApiUrl is not null && registration.ApiUrl is not null && !string.Equals(existing.ApiUrl, registration.ApiUrl, StringComparison.Ordinal))
            throw new PeerIdTakenException(peerId, existing.ApiUrl);
        return await SavePeerAsync(peerId, registration, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PeerInfo?> GetPeerAsync(long peerId, CancellationToken cancellationToken = default)
    {
        var bytes = await dht.GetAsync(TrackerKeys.Peer(peerId), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Deserialize(bytes, TrackerJsonContext.Default.PeerInfo);
    }

    public async Task<IReadOnlyList<PeerInfo>> ListPeersAsync(CancellationToken cancellationToken = default)
    {
        var members = await dht.GetSetAsync(TrackerKeys.PeerIndex, cancellationToken).ConfigureAwait(false);
        var peers = new List<PeerInfo>(members.Count);
        foreach (var member in members)
            if (Deserialize(member.Value, TrackerJsonContext.Default.PeerInfo) is { } peer) peers.Add(peer);
        peers.Sort(static (a, b) => a.PeerId.CompareTo(b.PeerId));
        return peers;
    }

    private async Task<PeerInfo> SavePeerAsync(long peerId, PeerRegistration registration, CancellationToken cancellationToken)
    {
        var peer = new PeerInfo(peerId, registration.TransferHost, registration.TransferPort, registration.ApiUrl, time.GetUtcNow());
        var json = JsonSerializer.Serialize(peer, TrackerJsonContext.Default.PeerInfo);
        await Task.WhenAll(
            dht.PutAsync(TrackerKeys.Peer(peerId), Encoding.UTF8.GetBytes(json), cancellationToken),
            dht.UpdateSetAsync(TrackerKeys.PeerIndex, [SetUpdate.Add(peerId.ToString(CultureInfo.InvariantCulture), json)], cancellationToken)).ConfigureAwait(false);
        return peer;
    }

    private static T? Deserialize<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try { return JsonSerializer.Deserialize(json, type); }
        catch (JsonException) { return null; }
    }

    private static T? Deserialize<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try { return JsonSerializer.Deserialize(json, type); }
        catch (JsonException) { return null; }
    }

    [LoggerMessage(LogLevel.Information, "Published {InfoHash} '{Name}' ({Length} bytes)")]
    private partial void LogPublished(string infoHash, string name, long length);

    [LoggerMessage(LogLevel.Information, "Registered peer {PeerId} at {Host}:{Port}")]
    private partial void LogPeerRegistered(long peerId, string host, int port);
}

/// <summary>A peer id is registered to another peer's API url.</summary>
public sealed class PeerIdTakenException(long peerId, string apiUrl)
    : Exception($"Peer id {peerId} belongs to the peer at {apiUrl}: register to get an id of your own.");
