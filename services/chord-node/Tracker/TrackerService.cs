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
    private readonly CatalogFreshness _freshness = new(dht, time, options.Value.StaleAfter, logger);

    public TrackerOptions Options => _options;

    // ---- BitTorrent HTTP tracker ----

    /// <summary>
    /// Applies an announce to the swarm and picks peers for the requester: one DHT round trip
    /// (two on "completed", which also counts the download), answered once the swarm's primary has
    /// the change; its replicas get it write-behind.
    /// </summary>
    /// <param name="request">The parsed announce.</param>
    /// <param name="clientAddress">Who sent the announce: the connection's address, or the client a trusted proxy names.</param>
    /// <param name="honourIp">Whether the request's <c>ip=</c> is believed (only from a trusted proxy, <see cref="TrustedProxyList"/>).</param>
    /// <param name="cancellationToken">Cancels the store's round trip.</param>
    /// <remarks>
    /// An entry is keyed by peer_id and address, so an announce from one address never moves or removes the entry
    /// another address made under the same peer_id. Any info-hash is accepted (real clients may use this tracker for
    /// torrents nobody published here), but a swarm holds at most <see cref="TrackerOptions.MaxPeersPerSwarm"/> live
    /// entries and every entry expires; the only durable key an announce writes is the completion count, and only
    /// for published torrents.
    /// </remarks>
    public async Task<AnnounceResult> AnnounceAsync(AnnounceRequest request, IPAddress clientAddress, bool honourIp = false, CancellationToken cancellationToken = default)
    {
        var host = honourIp && request.Ip is { } claimed ? claimed : clientAddress;
        if (host.IsIPv4MappedToIPv6) host = host.MapToIPv4();
        var hostText = host.ToString();
        var peerId = request.PeerId.ToString();
        var member = SwarmEntry.MemberKey(peerId, hostText);
        SetUpdate update = request.Event == AnnounceEvent.Stopped
            ? SetUpdate.Remove(member)
            : SetUpdate.AddCapped(member, new SwarmEntry(request.IsSeeder, peerId, hostText, request.Port).ToJson(), ExpiresAt(), _options.MaxPeersPerSwarm);

        var swarmKey = TrackerKeys.Swarm(request.InfoHash);
        // Swarm entries are soft state (they expire unless re-announced), so the primary answers from its own
        // write and replicates shortly after; a crash loses at most a few milliseconds of announces.
        var members = await dht.UpdateSetWriteBehindAsync(swarmKey, [update], cancellationToken).ConfigureAwait(false);
        var (complete, incomplete) = Count(members);
        _counts.Set(request.InfoHash, complete, incomplete);
        if (request.IsSeeder && !update.IsRemove) _freshness.NoteSeeder(request.InfoHash);
        if (!update.IsRemove && members.Count >= _options.MaxPeersPerSwarm && !Contains(members, member))
            return AnnounceResult.Failed($"this swarm is full ({_options.MaxPeersPerSwarm} peers); retry later", (int)_options.AnnounceInterval.TotalSeconds);

        if (request.Event == AnnounceEvent.Completed
            && await dht.GetAsync(TrackerKeys.Torrent(request.InfoHash), cancellationToken).ConfigureAwait(false) is not null)
            await dht.UpdateSetAsync(TrackerKeys.Completed(request.InfoHash),
                [SetUpdate.AddCapped(member, "1", null, _options.MaxPeersPerSwarm)], cancellationToken).ConfigureAwait(false);

        var wanted = request.Event == AnnounceEvent.Stopped ? 0 : request.NumWant;
        var peers = _peerLists.Select(request.InfoHash, members, exclude: member, wanted);
        return new AnnounceResult
        {
            Complete = complete,
            Incomplete = incomplete,
            Interval = (int)_options.AnnounceInterval.TotalSeconds,
            MinInterval = (int)_options.MinAnnounceInterval.TotalSeconds,
            Peers = peers,
        };
    }

    private static bool Contains(IReadOnlyList<SetMember> members, string member)
    {
        foreach (var m in members)
            if (string.Equals(m.Member, member, StringComparison.Ordinal)) return true;
        return false;
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

    /// <summary>
    /// The online seeders and leechers (<see cref="SwarmLiveness"/>): a peer whose announce is overdue is left out of the counts
    /// users see (the catalog's "n of m copies online", announce and scrape answers) though its entry still lives in peer lists.
    /// </summary>
    private (int Seeders, int Leechers) Count(IReadOnlyList<SetMember> members)
    {
        var liveness = SwarmLiveness.At(time.GetUtcNow(), _options);
        var (seeders, leechers) = (0, 0);
        foreach (var m in members)
        {
            if (!liveness.IsOnline(m)) continue;
            if (SwarmEntry.IsSeederJson(m.Value)) seeders++;
            else leechers++;
        }
        return (seeders, leechers);
    }

    private long ExpiresAt() => (time.GetUtcNow() + _options.PeerTtl).ToUnixTimeMilliseconds();

    // ---- Files: publish, catalog, metadata ----

    /// <summary>
    /// Validates and publishes a .torrent: stores it, adds it to its catalog partition and the name index. Idempotent.
    /// A <paramref name="publisher"/> (a peer that proved its token) is recorded when the torrent is new: that peer
    /// may remove the file from the catalog later. An invalid torrent throws <see cref="InvalidTorrentException"/>
    /// with the reason, before anything is stored.
    /// </summary>
    public Task<PublishedTorrent> PublishAsync(byte[] torrent, long? publisher = null, CancellationToken cancellationToken = default) =>
        PublishAsync(torrent, publisher, copies: null, cancellationToken);

    /// <summary>
    /// <see cref="PublishAsync(byte[], long?, CancellationToken)"/> with a target number of copies (1..16, checked by the caller):
    /// kept for a new file, and for a file published again by its own publisher; anyone else's republish keeps the target it has.
    /// A target above 1 lists the file in <see cref="TrackerKeys.CopiesIndex"/> for the volunteer coordinator.
    /// </summary>
    public async Task<PublishedTorrent> PublishAsync(byte[] torrent, long? publisher, int? copies, CancellationToken cancellationToken = default)
    {
        if (!TryRead(torrent, out var metainfo, out var error)) throw new InvalidTorrentException(error);

        var hash = metainfo.InfoHash;
        var hex = hash.ToString();
        var torrentKey = TrackerKeys.Torrent(hash);
        var existing = await dht.GetAsync(torrentKey, cancellationToken).ConfigureAwait(false);
        // The first publisher's bytes stay (same info dict, perhaps another announce url); the indexes are
        // written again regardless, which repairs a publish that failed halfway.
        var store = existing is null ? dht.PutAsync(torrentKey, torrent, cancellationToken) : Task.CompletedTask;
        var partition = TrackerKeys.Catalog(hash.Mod(_options.CatalogPartitions));
        var (published, target) = existing is null
            ? (time.GetUtcNow(), copies ?? 1)
            : await ListedAsync(partition, hex, cancellationToken).ConfigureAwait(false);
        if (existing is not null && copies is { } asked && publisher is { } caller && await PublisherOfAsync(hash, cancellationToken).ConfigureAwait(false) == caller)
            target = asked;
        var catalogEntry = JsonSerializer.Serialize(new CatalogEntry(hex, metainfo.Name, metainfo.Length, published, target > 1 ? target : null),
            TrackerJsonContext.Default.CatalogEntry);
        var catalog = dht.UpdateSetAsync(partition, [SetUpdate.Add(hex, catalogEntry)], cancellationToken);
        var name = dht.UpdateSetAsync(TrackerKeys.Name(metainfo.Name), [SetUpdate.Add(hex, hex)], cancellationToken);
        var owner = existing is null && publisher is { } id
            ? dht.PutAsync(TrackerKeys.Publisher(hash), Encoding.UTF8.GetBytes(id.ToString(CultureInfo.InvariantCulture)), cancellationToken)
            : Task.CompletedTask;
        var index = target > 1 || copies is not null ? IndexCopiesAsync(hex, target, metainfo.Length, cancellationToken) : Task.CompletedTask;
        await Task.WhenAll(store, catalog, name, owner, index).ConfigureAwait(false);

        if (existing is null) LogPublished(hex, metainfo.Name, metainfo.Length);
        return new PublishedTorrent(hex, metainfo.Name, metainfo.Length, metainfo.PieceLength, metainfo.PieceCount, Created: existing is null);
    }

    /// <summary>Lists a file in the copies index when its target exceeds one, and takes it out otherwise.</summary>
    private Task IndexCopiesAsync(string hex, int copies, long length, CancellationToken cancellationToken) =>
        dht.UpdateSetAsync(TrackerKeys.CopiesIndex,
            [copies > 1 ? SetUpdate.Add(hex, JsonSerializer.Serialize(new CopiesIndexEntry(copies, length), TrackerJsonContext.Default.CopiesIndexEntry)) : SetUpdate.Remove(hex)],
            cancellationToken);

    /// <summary>
    /// When a file published again was first published and its target copies: from its catalog entry (no date for an entry from before
    /// dates were kept: a republish does not pretend to know it), or now and 1 when it is not listed (removed, or a publish that failed halfway).
    /// </summary>
    private async Task<(DateTimeOffset? Published, int Copies)> ListedAsync(string partition, string infoHash, CancellationToken cancellationToken) =>
        await FindEntryAsync(partition, infoHash, cancellationToken).ConfigureAwait(false) is { } entry
            ? (entry.Published, entry.TargetCopies)
            : (time.GetUtcNow(), 1);

    private async Task<CatalogEntry?> FindEntryAsync(string partition, string infoHash, CancellationToken cancellationToken)
    {
        foreach (var member in await dht.GetSetAsync(partition, cancellationToken).ConfigureAwait(false))
            if (member.Member == infoHash && Deserialize(member.Value, TrackerJsonContext.Default.CatalogEntry) is { } entry)
                return entry;
        return null;
    }

    /// <summary>The id of the peer that published a file with its token, or null (published without one, or never).</summary>
    private async Task<long?> PublisherOfAsync(Id160 infoHash, CancellationToken cancellationToken) =>
        await dht.GetAsync(TrackerKeys.Publisher(infoHash), cancellationToken).ConfigureAwait(false) is { } bytes
        && long.TryParse(Encoding.UTF8.GetString(bytes), NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
            ? owner
            : null;

    /// <summary>
    /// Changes a listed file's target copies, for the peer that published it: the catalog entry and the copies index. Unknown when the
    /// file is not in the catalog; WrongToken for another peer's token, or a file published without one.
    /// </summary>
    public async Task<PeerAccess> SetCopiesAsync(Id160 infoHash, int copies, string? token, CancellationToken cancellationToken = default)
    {
        if (token is null) return PeerAccess.NoToken;
        var hex = infoHash.ToString();
        var partition = TrackerKeys.Catalog(infoHash.Mod(_options.CatalogPartitions));
        var entryTask = FindEntryAsync(partition, hex, cancellationToken);
        var ownerTask = PublisherOfAsync(infoHash, cancellationToken);
        var entry = await entryTask.ConfigureAwait(false);
        var owner = await ownerTask.ConfigureAwait(false);
        if (entry is null) return PeerAccess.Unknown;
        if (owner is not { } publisher) return PeerAccess.WrongToken;
        var access = await AuthorizeAsync(publisher, token, cancellationToken).ConfigureAwait(false);
        if (access != PeerAccess.Granted) return access == PeerAccess.Unknown ? PeerAccess.WrongToken : access;

        var updated = JsonSerializer.Serialize(entry with { Copies = copies > 1 ? copies : null }, TrackerJsonContext.Default.CatalogEntry);
        await Task.WhenAll(
            dht.UpdateSetAsync(partition, [SetUpdate.Add(hex, updated)], cancellationToken),
            IndexCopiesAsync(hex, copies, entry.Length, cancellationToken)).ConfigureAwait(false);
        LogCopiesSet(hex, copies, publisher);
        return PeerAccess.Granted;
    }

    /// <summary>
    /// A torrent the tracker accepts: any valid torrent whose name is a <see cref="SafeName"/> and, for a
    /// folder, every file's path a list of safe names.
    /// </summary>
    public static bool TryRead(byte[] torrent, [NotNullWhen(true)] out TorrentMetainfo? metainfo, [NotNullWhen(false)] out string? error)
    {
        if (!TorrentMetainfo.TryParse(torrent, int.MaxValue, out metainfo, out error)) return false;
        if (!SafeName.IsValid(metainfo.Name, out var reason))
        {
            metainfo = null;
            error = $"info: 'name' is not a plain file name: {reason}";
            return false;
        }
        foreach (var file in metainfo.IsMultiFile ? metainfo.Files : [])
        {
            if (SafeName.PathRefusal(file.Path) is { } refusal)
            {
                error = $"info: the file '{file.DisplayPath}' has an unsafe path: {refusal}";
                metainfo = null;
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The catalog (all partitions read in parallel), filtered by a case-insensitive name substring, by name, with
    /// live counts (reused for <see cref="TrackerOptions.CountCacheDuration"/> when this node saw them recently).
    /// </summary>
    public async Task<IReadOnlyList<TrackerFileSummary>> ListFilesAsync(string? search, CancellationToken cancellationToken = default) =>
        (await QueryFilesAsync(CatalogQuery.All(search), cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>
    /// The files matching a query, ordered and cut to its page, and how many match in all. Sorting by name, size or
    /// date needs only the catalog partitions, so live counts are read for the page's rows alone; sorting by seeders
    /// reads the counts of every matching file first. Ties are broken by name, then info-hash, so pages never overlap;
    /// files without a publish date come last in either order. Every row says whether it is available (a seeder seen
    /// within <see cref="TrackerOptions.StaleAfter"/>); <see cref="CatalogQuery.AvailableOnly"/> drops the others first,
    /// which needs every matching file's counts.
    /// </summary>
    public async Task<TrackerFilePage> QueryFilesAsync(CatalogQuery query, CancellationToken cancellationToken = default)
    {
        var entries = await ReadCatalogAsync(query.Search, cancellationToken).ConfigureAwait(false);
        if (query.AvailableOnly && entries.Count > 0)
        {
            var rows = await _freshness.MarkAsync(await WithCatalogCountsAsync(entries, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            var available = rows.Where(r => r.Available).Select(r => r.InfoHash).ToHashSet(StringComparer.Ordinal);
            entries.RemoveAll(e => !available.Contains(e.InfoHash));
        }
        var total = entries.Count;
        var skip = (int)Math.Min((long)(query.Page - 1) * query.PageSize, total);
        var take = (int)Math.Min(query.PageSize, total - skip);

        TrackerFileSummary[] page;
        if (query.Sort == CatalogSort.Seeders)
        {
            var all = await WithCatalogCountsAsync(entries, cancellationToken).ConfigureAwait(false);
            var descending = query.Descending ? -1 : 1;
            Array.Sort(all, (a, b) =>
            {
                var bySeeders = descending * a.Seeders.CompareTo(b.Seeders);
                return bySeeders != 0 ? bySeeders : ByName(a.Name, a.InfoHash, b.Name, b.InfoHash);
            });
            page = all.AsSpan(skip, take).ToArray();
        }
        else
        {
            entries.Sort(EntryOrder(query.Sort, query.Descending));
            page = await WithCountsAsync(entries.GetRange(skip, take), cancellationToken).ConfigureAwait(false);
        }
        page = await _freshness.MarkAsync(page, cancellationToken).ConfigureAwait(false);
        return new TrackerFilePage(total, query.Page, query.PageSize == int.MaxValue ? total : query.PageSize, query.SortName, query.OrderName, page);
    }

    private async Task<List<CatalogEntry>> ReadCatalogAsync(string? search, CancellationToken cancellationToken)
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
        return entries;
    }

    private static int ByName(string aName, string aHash, string bName, string bHash)
    {
        var byName = string.Compare(aName, bName, StringComparison.OrdinalIgnoreCase);
        return byName != 0 ? byName : string.CompareOrdinal(aHash, bHash);
    }

    private static Comparison<CatalogEntry> EntryOrder(CatalogSort sort, bool descending)
    {
        var sign = descending ? -1 : 1;
        return sort switch
        {
            CatalogSort.Size => (a, b) => ThenByName(sign * a.Length.CompareTo(b.Length), a, b),
            CatalogSort.Published => (a, b) => ByDate(a, b, sign),
            _ => (a, b) => sign * ByName(a.Name, a.InfoHash, b.Name, b.InfoHash),
        };
    }

    private static int ThenByName(int order, CatalogEntry a, CatalogEntry b) =>
        order != 0 ? order : ByName(a.Name, a.InfoHash, b.Name, b.InfoHash);

    /// <summary>By publish date; entries without one last, whichever the order.</summary>
    private static int ByDate(CatalogEntry a, CatalogEntry b, int sign) => (a.Published, b.Published) switch
    {
        ({ } x, { } y) => ThenByName(sign * x.CompareTo(y), a, b),
        (null, null) => ThenByName(0, a, b),
        (null, _) => 1,
        _ => -1,
    };

    /// <summary>How old the whole catalog's counts may be when sorting by seeders (refreshed in the background once older than <see cref="TrackerOptions.CountCacheDuration"/>).</summary>
    public static readonly TimeSpan CatalogCountsMaxAge = TimeSpan.FromSeconds(30);

    private sealed record CountSnapshot(Dictionary<string, (int Seeders, int Leechers)> Counts, long Taken);

    private volatile CountSnapshot? _catalogCounts;
    private Task<CountSnapshot>? _catalogRefresh;
    private readonly Lock _refreshGate = new();

    /// <summary>
    /// Catalog rows with the counts of every file (sorting by seeders needs them all): a count this node learned within
    /// <see cref="TrackerOptions.CountCacheDuration"/> (its own announces and reads), else the whole catalog's snapshot.
    /// The snapshot is reused while it is younger than <see cref="TrackerOptions.CountCacheDuration"/>; then it is still
    /// served, up to <see cref="CatalogCountsMaxAge"/>, while a new one is read in the background (one read of every
    /// swarm, so a user paging through the sorted catalog does not pay it on every page). Files newer than the snapshot
    /// and not announced here count zero until the next.
    /// </summary>
    private async Task<TrackerFileSummary[]> WithCatalogCountsAsync(List<CatalogEntry> entries, CancellationToken cancellationToken)
    {
        var snapshot = _catalogCounts;
        var age = snapshot is null ? TimeSpan.MaxValue : time.GetElapsedTime(snapshot.Taken);
        if (snapshot is null || age >= CatalogCountsMaxAge || _options.CountCacheDuration <= TimeSpan.Zero)
            snapshot = await RefreshCatalogCounts().WaitAsync(cancellationToken).ConfigureAwait(false);
        else if (age >= _options.CountCacheDuration)
            _ = RefreshCatalogCounts();
        var results = new TrackerFileSummary[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (!_counts.TryGet(Id160.Parse(entry.InfoHash), out var seeders, out var leechers))
                (seeders, leechers) = snapshot.Counts.GetValueOrDefault(entry.InfoHash);
            results[i] = new TrackerFileSummary(entry.InfoHash, entry.Name, entry.Length, seeders, leechers, entry.Published, Copies: entry.TargetCopies);
        }
        return results;
    }

    /// <summary>Reads every catalog file's counts into a new snapshot; concurrent callers share one read.</summary>
    private Task<CountSnapshot> RefreshCatalogCounts()
    {
        lock (_refreshGate)
        {
            if (_catalogRefresh is { IsCompleted: false } running) return running;
            return _catalogRefresh = Task.Run(async () =>
            {
                try
                {
                    var all = await WithCountsAsync(await ReadCatalogAsync(null, CancellationToken.None).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false);
                    var counts = new Dictionary<string, (int, int)>(all.Length, StringComparer.Ordinal);
                    foreach (var row in all) counts[row.InfoHash] = (row.Seeders, row.Leechers);
                    var snapshot = new CountSnapshot(counts, time.GetTimestamp());
                    _catalogCounts = snapshot;
                    return snapshot;
                }
                catch (DhtUnavailableException e)
                {
                    LogCountsFailed(e.Message);
                    throw;
                }
            });
        }
    }

    /// <summary>Catalog rows with live counts: from the count cache, else one swarm read each (16 at a time).</summary>
    private async Task<TrackerFileSummary[]> WithCountsAsync(List<CatalogEntry> entries, CancellationToken cancellationToken)
    {
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
                results[i] = new TrackerFileSummary(entry.InfoHash, entry.Name, entry.Length, seeders, leechers, entry.Published, Copies: entry.TargetCopies);
            }).ConfigureAwait(false);
        return results;
    }

    /// <summary>A file's metadata, its online counts and its live swarm entries, or null when it was never published.</summary>
    public async Task<TrackerFileDetails?> GetFileAsync(Id160 infoHash, CancellationToken cancellationToken = default)
    {
        var hex = infoHash.ToString();
        var torrentTask = dht.GetAsync(TrackerKeys.Torrent(infoHash), cancellationToken);
        var swarmTask = dht.GetSetAsync(TrackerKeys.Swarm(infoHash), cancellationToken);
        var entryTask = FindEntryAsync(TrackerKeys.Catalog(infoHash.Mod(_options.CatalogPartitions)), hex, cancellationToken);
        var torrent = await torrentTask.ConfigureAwait(false);
        var swarm = await swarmTask.ConfigureAwait(false);
        var entry = await entryTask.ConfigureAwait(false);
        if (torrent is null || !TryRead(torrent, out var metainfo, out _)) return null;

        var (seeders, leechers) = Count(swarm);
        _counts.Set(infoHash, seeders, leechers);
        return new TrackerFileDetails(hex, metainfo.Name, metainfo.Length, metainfo.PieceLength, metainfo.PieceCount,
            seeders, leechers, ToPeerInfos(swarm), entry?.TargetCopies ?? 1, entry?.Published);
    }

    public Task<byte[]?> GetTorrentAsync(Id160 infoHash, CancellationToken cancellationToken = default) =>
        dht.GetAsync(TrackerKeys.Torrent(infoHash), cancellationToken);

    /// <summary>
    /// Removes a file from the catalog and the name index, for the peer that published it. The .torrent stays
    /// readable by info-hash (clients that hold it keep working); publishing it again lists it again.
    /// </summary>
    public async Task<PeerAccess> RemoveFileAsync(Id160 infoHash, string? token, CancellationToken cancellationToken = default)
    {
        if (token is null) return PeerAccess.NoToken;
        var torrentTask = dht.GetAsync(TrackerKeys.Torrent(infoHash), cancellationToken);
        var publisherTask = dht.GetAsync(TrackerKeys.Publisher(infoHash), cancellationToken);
        var torrent = await torrentTask.ConfigureAwait(false);
        var publisher = await publisherTask.ConfigureAwait(false);
        if (torrent is null || !TorrentMetainfo.TryParse(torrent, int.MaxValue, out var metainfo, out _)) return PeerAccess.Unknown;
        // A file published without a token has no owner: nobody may remove it through the API.
        if (publisher is null || !long.TryParse(Encoding.UTF8.GetString(publisher), NumberStyles.None, CultureInfo.InvariantCulture, out var owner))
            return PeerAccess.WrongToken;
        var access = await AuthorizeAsync(owner, token, cancellationToken).ConfigureAwait(false);
        if (access != PeerAccess.Granted) return access == PeerAccess.Unknown ? PeerAccess.WrongToken : access;

        var hex = infoHash.ToString();
        await Task.WhenAll(
            dht.UpdateSetAsync(TrackerKeys.Catalog(infoHash.Mod(_options.CatalogPartitions)), [SetUpdate.Remove(hex)], cancellationToken),
            dht.UpdateSetAsync(TrackerKeys.Name(metainfo.Name), [SetUpdate.Remove(hex)], cancellationToken),
            dht.UpdateSetAsync(TrackerKeys.CopiesIndex, [SetUpdate.Remove(hex)], cancellationToken)).ConfigureAwait(false);
        LogRemoved(hex, metainfo.Name, owner);
        return PeerAccess.Granted;
    }

    // ---- Swarm membership for our own peers (REST) ----

    /// <summary>
    /// Adds or refreshes a registered peer in a published file's swarm, with that peer's token. The swarm is null
    /// when access is refused, the file is unknown (<see cref="PeerAccess.Unknown"/>) or the swarm is full
    /// (<see cref="PeerAccess.Full"/>).
    /// </summary>
    public async Task<(PeerAccess Access, SwarmInfo? Swarm)> JoinSwarmAsync(Id160 infoHash, long peerId, SwarmJoinRequest join, string? token,
        CancellationToken cancellationToken = default)
    {
        var access = await AuthorizeAsync(peerId, token, cancellationToken).ConfigureAwait(false);
        if (access != PeerAccess.Granted) return (access, null);
        if (await dht.GetAsync(TrackerKeys.Torrent(infoHash), cancellationToken).ConfigureAwait(false) is null) return (PeerAccess.Unknown, null);
        var member = peerId.ToString(CultureInfo.InvariantCulture);
        var value = new SwarmEntry(join.Seeder, member, join.Host, join.Port).ToJson();
        var members = await dht.UpdateSetAsync(TrackerKeys.Swarm(infoHash),
            [SetUpdate.AddCapped(member, value, ExpiresAt(), _options.MaxPeersPerSwarm)], cancellationToken).ConfigureAwait(false);
        if (!Contains(members, member)) return (PeerAccess.Full, null);
        if (join.Seeder) _freshness.NoteSeeder(infoHash);
        var (seeders, leechers) = Count(members);
        _counts.Set(infoHash, seeders, leechers);
        return (PeerAccess.Granted, new SwarmInfo(infoHash.ToString(), seeders, leechers, ToPeerInfos(members)));
    }

    /// <summary>Removes a registered peer from a swarm at once, with that peer's token.</summary>
    public async Task<PeerAccess> LeaveSwarmAsync(Id160 infoHash, long peerId, string? token, CancellationToken cancellationToken = default)
    {
        var access = await AuthorizeAsync(peerId, token, cancellationToken).ConfigureAwait(false);
        if (access != PeerAccess.Granted) return access;
        var members = await dht.UpdateSetAsync(TrackerKeys.Swarm(infoHash), [SetUpdate.Remove(peerId.ToString(CultureInfo.InvariantCulture))], cancellationToken).ConfigureAwait(false);
        var (seeders, leechers) = Count(members);
        _counts.Set(infoHash, seeders, leechers);
        return PeerAccess.Granted;
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

    /// <summary>
    /// Assigns a new numeric peer id (atomic at the counter's primary), records the peer's addresses and gives it
    /// a secret token; the record keeps only the token's SHA-256.
    /// </summary>
    public async Task<RegisteredPeer> RegisterPeerAsync(PeerRegistration registration, CancellationToken cancellationToken = default)
    {
        var peerId = await dht.IncrementAsync(TrackerKeys.PeerIdCounter, cancellationToken).ConfigureAwait(false);
        var token = PeerToken.Create(peerId);
        var peer = await SavePeerAsync(peerId, registration, PeerToken.Hash(token), cancellationToken).ConfigureAwait(false);
        LogPeerRegistered(peerId, registration.TransferHost, registration.TransferPort);
        return new RegisteredPeer(peer.PeerId, peer.TransferHost, peer.TransferPort, registration.ApiUrl, peer.LastSeen, token);
    }

    /// <summary>
    /// Updates a registered peer's addresses with its token. Unknown: the tracker does not know the id (it lost
    /// it, or never gave it); NoToken or WrongToken: refused. In each case nothing changes, and the peer registers again.
    /// </summary>
    public async Task<(PeerAccess Access, PeerInfo? Peer)> UpdatePeerAsync(long peerId, PeerRegistration registration, string? token,
        CancellationToken cancellationToken = default)
    {
        if (token is null) return (PeerAccess.NoToken, null);
        var record = await GetPeerRecordAsync(peerId, cancellationToken).ConfigureAwait(false);
        var access = Check(record, peerId, token);
        if (access != PeerAccess.Granted) return (access, null);
        return (access, await SavePeerAsync(peerId, registration, record!.TokenHash!, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Whether <paramref name="token"/> is the token of registered peer <paramref name="peerId"/>.</summary>
    public async Task<PeerAccess> AuthorizeAsync(long peerId, string? token, CancellationToken cancellationToken = default)
    {
        if (token is null) return PeerAccess.NoToken;
        // A token that names another id is refused without a read.
        if (!PeerToken.TryGetPeerId(token, out var named) || named != peerId) return PeerAccess.WrongToken;
        return Check(await GetPeerRecordAsync(peerId, cancellationToken).ConfigureAwait(false), peerId, token);
    }

    /// <summary>Whether <paramref name="token"/> is registered peer <paramref name="peerId"/>'s, and its record when it is.</summary>
    internal async Task<(PeerAccess Access, PeerRecord? Record)> AuthorizeRecordAsync(long peerId, string? token, CancellationToken cancellationToken = default)
    {
        if (token is null) return (PeerAccess.NoToken, null);
        if (!PeerToken.TryGetPeerId(token, out var named) || named != peerId) return (PeerAccess.WrongToken, null);
        var record = await GetPeerRecordAsync(peerId, cancellationToken).ConfigureAwait(false);
        var access = Check(record, peerId, token);
        return (access, access == PeerAccess.Granted ? record : null);
    }

    /// <summary>The peer a token belongs to, when it is a registered peer's own; null otherwise.</summary>
    public async Task<long?> TokenOwnerAsync(string token, CancellationToken cancellationToken = default) =>
        PeerToken.TryGetPeerId(token, out var peerId)
        && await AuthorizeAsync(peerId, token, cancellationToken).ConfigureAwait(false) == PeerAccess.Granted
            ? peerId
            : null;

    private static PeerAccess Check(PeerRecord? record, long peerId, string token)
    {
        if (record is null) return PeerAccess.Unknown;
        // A record without a token hash (written before tokens existed) belongs to nobody: its peer registers again.
        if (!PeerToken.TryGetPeerId(token, out var named) || named != peerId || !PeerToken.Matches(token, record.TokenHash))
            return PeerAccess.WrongToken;
        return PeerAccess.Granted;
    }

    /// <summary>A registered peer with its last status report (read in parallel), or null when the id is unknown.</summary>
    public async Task<PeerInfo?> GetPeerAsync(long peerId, CancellationToken cancellationToken = default)
    {
        var recordTask = GetPeerRecordAsync(peerId, cancellationToken);
        var statusTask = dht.GetSetAsync(TrackerKeys.PeerStatus(peerId), cancellationToken);
        var record = await recordTask.ConfigureAwait(false);
        if (record is null) return null;
        var member = peerId.ToString(CultureInfo.InvariantCulture);
        var status = (await statusTask.ConfigureAwait(false)).FirstOrDefault(m => m.Member == member);
        return record.ToPeerInfo() with { Status = status is null ? null : Deserialize(status.Value, TrackerJsonContext.Default.PeerStatus) };
    }

    /// <summary>
    /// Keeps a registered peer's status report, with its token, until two of its refresh periods have passed: soft
    /// state, written like an announce (the partition's primary answers, its replicas follow within milliseconds).
    /// Full: the partition already holds <see cref="MaxStatusesPerPartition"/> live reports.
    /// </summary>
    public async Task<(PeerAccess Access, PeerStatus? Status)> ReportStatusAsync(long peerId, PeerStatusReport report, string? token,
        CancellationToken cancellationToken = default)
    {
        var access = await AuthorizeAsync(peerId, token, cancellationToken).ConfigureAwait(false);
        if (access != PeerAccess.Granted) return (access, null);
        var now = time.GetUtcNow();
        var status = PeerStatus.From(report, now);
        var member = peerId.ToString(CultureInfo.InvariantCulture);
        var expires = (now + 2 * TimeSpan.FromSeconds(report.RefreshSeconds)).ToUnixTimeMilliseconds();
        var members = await dht.UpdateSetWriteBehindAsync(TrackerKeys.PeerStatus(peerId),
            [SetUpdate.AddCapped(member, JsonSerializer.Serialize(status, TrackerJsonContext.Default.PeerStatus), expires, MaxStatusesPerPartition)],
            cancellationToken).ConfigureAwait(false);
        return Contains(members, member) ? (PeerAccess.Granted, status) : (PeerAccess.Full, null);
    }

    /// <summary>Live status reports one partition holds at most (a bound on what registered peers can make the ring keep).</summary>
    public const int MaxStatusesPerPartition = 4096;

    private async Task<PeerRecord?> GetPeerRecordAsync(long peerId, CancellationToken cancellationToken)
    {
        var bytes = await dht.GetAsync(TrackerKeys.Peer(peerId), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Deserialize(bytes, TrackerJsonContext.Default.PeerRecord);
    }

    public async Task<IReadOnlyList<PeerInfo>> ListPeersAsync(CancellationToken cancellationToken = default)
    {
        var indexTask = dht.GetSetAsync(TrackerKeys.PeerIndex, cancellationToken);
        var statusTasks = Enumerable.Range(0, TrackerKeys.PeerStatusPartitions)
            .Select(p => dht.GetSetAsync(TrackerKeys.PeerStatusPartition(p), cancellationToken)).ToArray();
        var members = await indexTask.ConfigureAwait(false);
        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var partition in await Task.WhenAll(statusTasks).ConfigureAwait(false))
            foreach (var status in partition) statuses[status.Member] = status.Value;
        var peers = new List<PeerInfo>(members.Count);
        foreach (var member in members)
        {
            if (Deserialize(member.Value, TrackerJsonContext.Default.PeerInfo) is not { } peer) continue;
            peers.Add(statuses.TryGetValue(member.Member, out var json) ? peer with { Status = Deserialize(json, TrackerJsonContext.Default.PeerStatus) } : peer);
        }
        peers.Sort(static (a, b) => a.PeerId.CompareTo(b.PeerId));
        return peers;
    }

    private async Task<PeerInfo> SavePeerAsync(long peerId, PeerRegistration registration, string tokenHash, CancellationToken cancellationToken)
    {
        var record = new PeerRecord(peerId, registration.TransferHost.Trim(), registration.TransferPort, registration.ApiUrl.Trim(), time.GetUtcNow(), tokenHash);
        var peer = record.ToPeerInfo();
        // The index (public, listed as a whole) carries no token hash; only the peer's own key does.
        var indexed = JsonSerializer.Serialize(peer, TrackerJsonContext.Default.PeerInfo);
        await Task.WhenAll(
            dht.PutAsync(TrackerKeys.Peer(peerId), JsonSerializer.SerializeToUtf8Bytes(record, TrackerJsonContext.Default.PeerRecord), cancellationToken),
            dht.UpdateSetAsync(TrackerKeys.PeerIndex, [SetUpdate.Add(peerId.ToString(CultureInfo.InvariantCulture), indexed)], cancellationToken)).ConfigureAwait(false);
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

    [LoggerMessage(LogLevel.Warning, "Reading the catalog's swarm counts failed: {Reason}")]
    private partial void LogCountsFailed(string reason);

    [LoggerMessage(LogLevel.Information, "Published {InfoHash} '{Name}' ({Length} bytes)")]
    private partial void LogPublished(string infoHash, string name, long length);

    [LoggerMessage(LogLevel.Information, "Peer {PeerId} removed {InfoHash} '{Name}' from the catalog")]
    private partial void LogRemoved(string infoHash, string name, long peerId);

    [LoggerMessage(LogLevel.Information, "Peer {PeerId} set the target copies of {InfoHash} to {Copies}")]
    private partial void LogCopiesSet(string infoHash, int copies, long peerId);

    [LoggerMessage(LogLevel.Information, "Registered peer {PeerId} at {Host}:{Port}")]
    private partial void LogPeerRegistered(long peerId, string host, int port);
}
