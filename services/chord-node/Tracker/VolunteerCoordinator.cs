using System.Globalization;
using System.Text.Json;
using BitTorrent.ChordNode.Storage;
using BitTorrent.ChordNode.Telemetry;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Options;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// Keeps files at their target copies with volunteers' help: each volunteer's report (its free room, slots, and the volunteer
/// copies it holds or fetches) is answered with files to fetch and copies to drop. Stateless like the tracker: everything it
/// decides on lives in the DHT, so any chord node can answer any volunteer.
/// </summary>
/// <remarks>
/// <para>
/// Fetch: a file of <see cref="TrackerKeys.CopiesIndex"/> whose online seeders (swarm seeders that announced within
/// <see cref="SwarmLiveness.Window"/>, as the catalog counts them) plus live claims of other volunteers fall below its target,
/// that this volunteer neither holds, fetches nor seeds, and that fits its remaining room and slots. The claim is one set update of <c>claims/{h}</c> at the key's primary: it drops the claims of volunteers that
/// seed by now, and adds this volunteer's with a lease only while the set holds fewer than (target − seeders) live claims (the
/// capped add of <see cref="SetUpdate.AddCapped"/>), so volunteers racing for the last copy cannot both get it. A claim is renewed
/// each time its volunteer reports the file as fetching (or held, before its seeder's announce shows); it lapses
/// <see cref="TrackerOptions.VolunteerLease"/> after the last report, and the copy is handed to someone else.
/// </para>
/// <para>
/// A seeder that died without a "stopped" announce stops counting once its announce is overdue, well before its entry expires
/// (<see cref="TrackerOptions.PeerTtl"/>), so its copy is replaced sooner. Every decision counts the same online seeders: one
/// that is overdue counts neither for the missing copies nor for a surplus, and its claim, if it is a volunteer that still
/// reports the file, stands for its copy meanwhile. So a late announce from a slow but live seeder can cause one extra fetch
/// (its copy seemed gone), and the surplus that follows is dropped only after the grace, like any other.
/// </para>
/// <para>
/// Most room first: a volunteer is offered a file only while fewer other volunteers than the missing copies have more free room,
/// fit the file, have a free slot, and neither seed nor claim it. Volunteers are remembered in <see cref="TrackerKeys.Volunteers"/>
/// with the room they had left after their last assignment, for two poll intervals, so one that stopped asking does not hold a
/// file back for long; the ones with more room take the file at their next poll.
/// </para>
/// <para>
/// Drop: a file whose seeders have been above its target for <see cref="TrackerOptions.VolunteerDropGrace"/> (continuously, as the
/// reports show: <c>surplus/{h}</c> marks the start and is removed when a report finds no surplus) is dropped by the volunteers that
/// report it as held and seed it, least free room first, at most (seeders − target) of them: each drop is a capped add to
/// <c>drops/{h}</c> with a lease, like a claim. Only files a volunteer lists as held can be dropped, so a publisher's own file never is.
/// </para>
/// </remarks>
public sealed partial class VolunteerCoordinator(IDht dht, TrackerService tracker, IOptions<TrackerOptions> options, TimeProvider time,
    ILogger<VolunteerCoordinator> logger)
{
    private readonly TrackerOptions _options = options.Value;

    /// <summary>Volunteers remembered at once (a bound on what registered peers can make the ring keep in one key).</summary>
    public const int MaxVolunteers = 10_000;

    /// <summary>Holders remembered per file.</summary>
    public const int MaxHolders = 1000;

    /// <summary>
    /// Answers a volunteer's report with its tasks, with its token. Access other than <see cref="PeerAccess.Granted"/> changes nothing.
    /// The report must be valid (<see cref="VolunteerReport.Validate"/>).
    /// </summary>
    public async Task<(PeerAccess Access, VolunteerAssignment? Assignment)> AssignAsync(long peerId, VolunteerReport report, string? token,
        CancellationToken cancellationToken = default)
    {
        var (access, record) = await tracker.AuthorizeRecordAsync(peerId, token, cancellationToken).ConfigureAwait(false);
        if (access != PeerAccess.Granted || record is null) return (access, null);

        var now = time.GetUtcNow();
        var me = new Volunteer(peerId.ToString(CultureInfo.InvariantCulture), record.TransferHost, record.TransferPort);
        var held = report.Held.Select(h => h.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var fetching = report.Fetching.Select(h => h.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

        var indexTask = dht.GetSetAsync(TrackerKeys.CopiesIndex, cancellationToken);
        var volunteersTask = dht.GetSetAsync(TrackerKeys.Volunteers, cancellationToken);
        var index = new Dictionary<string, CopiesIndexEntry>(StringComparer.Ordinal);
        foreach (var member in await indexTask.ConfigureAwait(false))
            if (Parse(member.Value, TrackerJsonContext.Default.CopiesIndexEntry) is { } entry && Id160.TryParse(member.Member, out _))
                index[member.Member] = entry;
        var others = new List<(string Id, VolunteerEntry Entry)>();
        foreach (var member in await volunteersTask.ConfigureAwait(false))
            if (member.Member != me.Id && Parse(member.Value, TrackerJsonContext.Default.VolunteerEntry) is { } entry)
                others.Add((member.Member, entry));

        var tasks = new List<VolunteerTask>();
        var liveness = SwarmLiveness.At(now, _options);
        var room = new Room(report.FreeBytes, report.FreeSlots);
        var leaseUntil = now + _options.VolunteerLease;

        // Copies this volunteer holds: its claims renewed until it seeds, its holding remembered, and drops once the surplus lasted.
        foreach (var hex in held.Order(StringComparer.Ordinal))
        {
            var hash = Id160.Parse(hex);
            var target = index.TryGetValue(hex, out var entry) ? entry.Copies : 1;
            if (await HeldAsync(hash, hex, target, me, room, now, liveness, leaseUntil, index.ContainsKey(hex), cancellationToken).ConfigureAwait(false) is { } drop)
                tasks.Add(drop);
        }
        // Copies it fetches: their claims renewed, so nobody else fetches them meanwhile.
        foreach (var hex in fetching.Where(index.ContainsKey))
            await RenewClaimAsync(Id160.Parse(hex), me, room, leaseUntil, cancellationToken).ConfigureAwait(false);

        // Files below target, the neediest first, within the room and slots left.
        if (room.Slots > 0)
        {
            var candidates = index.Where(f => !held.Contains(f.Key) && !fetching.Contains(f.Key) && f.Value.Length <= room.Bytes).ToList();
            var views = new FileView[candidates.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, candidates.Count),
                new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                async (i, ct) => views[i] = await ReadFileAsync(Id160.Parse(candidates[i].Key), candidates[i].Value, liveness, ct).ConfigureAwait(false)).ConfigureAwait(false);
            foreach (var view in views.OrderByDescending(v => v.Entry.Copies - v.Seeders.Count).ThenBy(v => v.Hex, StringComparer.Ordinal))
            {
                if (room.Slots == 0) break;
                if (await TryClaimAsync(view, me, others, room, leaseUntil, cancellationToken).ConfigureAwait(false) is not { } fetch) continue;
                tasks.Add(fetch);
                room.Bytes -= view.Entry.Length;
                room.Slots--;
            }
        }

        // Remembered with the room it has left, so others' assignments can weigh it; forgotten after two polls without a report.
        await dht.UpdateSetWriteBehindAsync(TrackerKeys.Volunteers,
            [SetUpdate.AddCapped(me.Id, Json(me.Entry(room)), (now + 2 * _options.VolunteerPollInterval).ToUnixTimeMilliseconds(), MaxVolunteers)],
            cancellationToken).ConfigureAwait(false);

        foreach (var task in tasks)
        {
            ChordTelemetry.VolunteerTasks.Add(1, new KeyValuePair<string, object?>("bittorrent.volunteer.action", task.Action == VolunteerAction.Fetch ? "fetch" : "drop"));
            if (task.Action == VolunteerAction.Fetch) LogFetch(peerId, task.InfoHash, task.Length);
            else LogDrop(peerId, task.InfoHash);
        }
        return (PeerAccess.Granted, new VolunteerAssignment(tasks, (int)Math.Ceiling(_options.VolunteerPollInterval.TotalSeconds)));
    }

    /// <summary>A file's swarm and its live claims, read in parallel.</summary>
    private async Task<FileView> ReadFileAsync(Id160 hash, CopiesIndexEntry entry, SwarmLiveness liveness, CancellationToken cancellationToken)
    {
        var swarmTask = dht.GetSetAsync(TrackerKeys.Swarm(hash), cancellationToken);
        var claimsTask = dht.GetSetAsync(TrackerKeys.Claims(hash), cancellationToken);
        var seeders = SwarmSeeders.Of(await swarmTask.ConfigureAwait(false), liveness);
        return new FileView(hash, hash.ToString(), entry, seeders, Volunteers(await claimsTask.ConfigureAwait(false)));
    }

    /// <summary>A fetch task for <paramref name="me"/> when the file misses copies that no better-placed volunteer will take; null otherwise.</summary>
    private async Task<VolunteerTask?> TryClaimAsync(FileView file, Volunteer me, List<(string Id, VolunteerEntry Entry)> others, Room room,
        DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        if (file.Seeders.Holds(me.Id, me.Host, me.Port) || file.Entry.Length > room.Bytes) return null;
        // A claim whose volunteer seeds online by now is counted as that seeder; one whose seeder entry is overdue still counts.
        var stale = file.Claims.Where(c => file.Seeders.IsOnline(c.Id, c.Entry.Host, c.Entry.Port)).Select(c => c.Id).ToList();
        var claimedByOthers = file.Claims.Count(c => c.Id != me.Id && !stale.Contains(c.Id));
        var missing = file.Entry.Copies - file.Seeders.Count - claimedByOthers;
        if (missing <= 0) return null;

        var claimants = file.Claims.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var roomier = others.Count(o => o.Entry.FreeBytes > room.Bytes && o.Entry.FreeSlots > 0 && o.Entry.FreeBytes >= file.Entry.Length
            && !claimants.Contains(o.Id) && !file.Seeders.Holds(o.Id, o.Entry.Host, o.Entry.Port));
        if (roomier >= missing) return null;

        var updates = stale.Select(SetUpdate.Remove).ToList();
        updates.Add(SetUpdate.AddCapped(me.Id, Json(me.Entry(room)), leaseUntil.ToUnixTimeMilliseconds(), file.Entry.Copies - file.Seeders.Count));
        var claims = await dht.UpdateSetAsync(TrackerKeys.Claims(file.Hash), updates, cancellationToken).ConfigureAwait(false);
        if (!claims.Any(c => c.Member == me.Id)) return null;
        return new VolunteerTask(file.Hex, VolunteerAction.Fetch, file.Entry.Length, leaseUntil);
    }

    /// <summary>Renews a volunteer's claim on a file it fetches (or holds before seeding), so nobody else fetches it meanwhile.</summary>
    private Task RenewClaimAsync(Id160 hash, Volunteer me, Room room, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        dht.UpdateSetAsync(TrackerKeys.Claims(hash),
            [SetUpdate.AddCapped(me.Id, Json(me.Entry(room)), leaseUntil.ToUnixTimeMilliseconds(), CopiesRequest.Max)], cancellationToken);

    /// <summary>
    /// One held copy: remembered among the file's holders; its claim renewed while its seeder entry has not shown yet; a drop task
    /// when the file's seeders have exceeded its target for the grace period and this holder is among the least roomy to go.
    /// </summary>
    private async Task<VolunteerTask?> HeldAsync(Id160 hash, string hex, int target, Volunteer me, Room room, DateTimeOffset now, SwarmLiveness liveness,
        DateTimeOffset leaseUntil, bool indexed, CancellationToken cancellationToken)
    {
        var swarmTask = dht.GetSetAsync(TrackerKeys.Swarm(hash), cancellationToken);
        var holdersTask = dht.UpdateSetWriteBehindAsync(TrackerKeys.Holders(hash),
            [SetUpdate.AddCapped(me.Id, Json(me.Entry(room)), (now + 2 * _options.VolunteerPollInterval).ToUnixTimeMilliseconds(), MaxHolders)], cancellationToken);
        var surplusTask = dht.GetSetAsync(TrackerKeys.Surplus(hash), cancellationToken);
        var seeders = SwarmSeeders.Of(await swarmTask.ConfigureAwait(false), liveness);
        var holders = Volunteers(await holdersTask.ConfigureAwait(false));
        var surplus = await surplusTask.ConfigureAwait(false);

        // Not (or no longer) counted as an online seeder: its claim stands for its copy until its announce shows.
        if (!seeders.IsOnline(me.Id, me.Host, me.Port))
        {
            if (indexed) await RenewClaimAsync(hash, me, room, leaseUntil, cancellationToken).ConfigureAwait(false);
            return null;
        }
        var excess = seeders.Count - target;
        if (excess <= 0)
        {
            if (surplus.Count > 0)
                await dht.UpdateSetAsync(TrackerKeys.Surplus(hash), surplus.Select(m => SetUpdate.Remove(m.Member)).ToList(), cancellationToken).ConfigureAwait(false);
            return null;
        }

        // The surplus's start: the first report to see it writes it (a capped add of one member, so the earliest writer wins), and
        // every later one keeps it alive; it expires when no holder reports for a while, which restarts the grace: never early.
        var markerExpiry = (now + _options.VolunteerDropGrace + 2 * _options.VolunteerPollInterval).ToUnixTimeMilliseconds();
        var nowMs = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var marker = surplus.Count > 0
            ? SetUpdate.Add(surplus[0].Member, surplus[0].Value, markerExpiry)
            : SetUpdate.AddCapped(nowMs, nowMs, markerExpiry, 1);
        var since = await dht.UpdateSetAsync(TrackerKeys.Surplus(hash), [marker], cancellationToken).ConfigureAwait(false);
        var start = since.Select(m => long.TryParse(m.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : long.MaxValue).DefaultIfEmpty(long.MaxValue).Min();
        if (start == long.MaxValue || now.ToUnixTimeMilliseconds() - start < (long)_options.VolunteerDropGrace.TotalMilliseconds) return null;

        var drops = Volunteers(await dht.GetSetAsync(TrackerKeys.Drops(hash), cancellationToken).ConfigureAwait(false));
        var stale = drops.Where(d => !seeders.IsOnline(d.Id, d.Entry.Host, d.Entry.Port)).Select(d => d.Id).ToList();
        var dropping = drops.Where(d => !stale.Contains(d.Id)).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        if (dropping.Contains(me.Id)) return Drop(hex);
        var allowed = excess - dropping.Count;
        if (allowed <= 0) return null;
        // Least free room first (ties by id), among the holders that seed the file and are not already dropping it.
        var rank = holders
            .Where(h => h.Id != me.Id && !dropping.Contains(h.Id) && seeders.IsOnline(h.Id, h.Entry.Host, h.Entry.Port))
            .Count(h => h.Entry.FreeBytes < room.Bytes || (h.Entry.FreeBytes == room.Bytes && string.CompareOrdinal(h.Id, me.Id) < 0));
        if (rank >= allowed) return null;

        var updates = stale.Select(SetUpdate.Remove).ToList();
        updates.Add(SetUpdate.AddCapped(me.Id, Json(me.Entry(room)), leaseUntil.ToUnixTimeMilliseconds(), excess));
        var after = await dht.UpdateSetAsync(TrackerKeys.Drops(hash), updates, cancellationToken).ConfigureAwait(false);
        return after.Any(d => d.Member == me.Id) ? Drop(hex) : null;
    }

    private static VolunteerTask Drop(string hex) => new(hex, VolunteerAction.Drop, 0);

    private static List<(string Id, VolunteerEntry Entry)> Volunteers(IReadOnlyList<SetMember> members)
    {
        var list = new List<(string, VolunteerEntry)>(members.Count);
        foreach (var member in members)
            if (Parse(member.Value, TrackerJsonContext.Default.VolunteerEntry) is { } entry) list.Add((member.Member, entry));
        return list;
    }

    private static string Json(VolunteerEntry entry) => JsonSerializer.Serialize(entry, TrackerJsonContext.Default.VolunteerEntry);

    private static T? Parse<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try { return JsonSerializer.Deserialize(json, type); }
        catch (JsonException) { return null; }
    }

    /// <summary>The volunteer asking: its id and the transfer address its seeder entries carry.</summary>
    private sealed record Volunteer(string Id, string Host, int Port)
    {
        public VolunteerEntry Entry(Room room) => new(room.Bytes, room.Slots, Host, Port);
    }

    /// <summary>What the volunteer may still take in this assignment.</summary>
    private sealed class Room(long bytes, int slots)
    {
        public long Bytes { get; set; } = bytes;
        public int Slots { get; set; } = slots;
    }

    private sealed record FileView(Id160 Hash, string Hex, CopiesIndexEntry Entry, SwarmSeeders Seeders, List<(string Id, VolunteerEntry Entry)> Claims);

    [LoggerMessage(LogLevel.Information, "Volunteer {PeerId} fetches {InfoHash} ({Length} bytes)")]
    private partial void LogFetch(long peerId, string infoHash, long length);

    [LoggerMessage(LogLevel.Information, "Volunteer {PeerId} drops its copy of {InfoHash}")]
    private partial void LogDrop(long peerId, string infoHash);
}
