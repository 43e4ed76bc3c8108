using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// Whether a catalog entry is still available: a seeder was seen within <see cref="TrackerOptions.StaleAfter"/>.
/// Seeders' announces record the time in <c>seeded/{infoHash}</c> (<see cref="TrackerKeys.Seeded"/>), for
/// published torrents only and at most once per <see cref="RefreshInterval"/> per torrent from this node, in the
/// background, so an announce never waits for it. A listing reads that register only for rows with no seeder
/// now that were published longer ago than StaleAfter (the candidates to be stale).
/// </summary>
internal sealed partial class CatalogFreshness(IDht dht, TimeProvider time, TimeSpan staleAfter, ILogger logger)
{
    private const int MaxRemembered = 100_000;
    private readonly ConcurrentDictionary<Id160, long> _recorded = new(); // when this node last wrote the register (timestamp)
    private int _added;

    /// <summary>How often a seeded torrent's register is refreshed: a quarter of StaleAfter, at most an hour.</summary>
    public TimeSpan RefreshInterval { get; } = TimeSpan.FromTicks(Math.Min(staleAfter.Ticks / 4, TimeSpan.FromHours(1).Ticks));

    /// <summary>A seeder announced (or joined) <paramref name="infoHash"/>: its register is written if this node has not done so lately.</summary>
    public void NoteSeeder(Id160 infoHash)
    {
        var now = time.GetTimestamp();
        if (_recorded.TryGetValue(infoHash, out var last) && time.GetElapsedTime(last, now) < RefreshInterval) return;
        if (Interlocked.Increment(ref _added) > MaxRemembered)
        {
            _recorded.Clear(); // a crude bound: forgetting only costs an early rewrite
            Interlocked.Exchange(ref _added, 0);
        }
        _recorded[infoHash] = now;
        _ = RecordAsync(infoHash);
    }

    private async Task RecordAsync(Id160 infoHash)
    {
        try
        {
            // Only published torrents get the durable register (any info-hash may be announced).
            if (await dht.GetAsync(TrackerKeys.Torrent(infoHash)).ConfigureAwait(false) is null) return;
            var stamp = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            await dht.PutAsync(TrackerKeys.Seeded(infoHash), Encoding.ASCII.GetBytes(stamp)).ConfigureAwait(false);
        }
        catch (DhtUnavailableException e)
        {
            _recorded.TryRemove(infoHash, out _); // tried again at the next announce
            LogRecordFailed(logger, infoHash.ToString(), e.Message);
        }
    }

    /// <summary>The rows with <see cref="TrackerFileSummary.Available"/> set: a seeder now, published or seen within StaleAfter.</summary>
    public async Task<TrackerFileSummary[]> MarkAsync(TrackerFileSummary[] rows, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - staleAfter;
        var marked = new TrackerFileSummary[rows.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Length),
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var row = rows[i];
                var available = row.Seeders > 0 || row.Published > since
                    || await LastSeededAsync(Id160.Parse(row.InfoHash), ct).ConfigureAwait(false) > since;
                marked[i] = row with { Available = available };
            }).ConfigureAwait(false);
        return marked;
    }

    private async Task<DateTimeOffset?> LastSeededAsync(Id160 infoHash, CancellationToken cancellationToken)
    {
        var value = await dht.GetAsync(TrackerKeys.Seeded(infoHash), cancellationToken).ConfigureAwait(false);
        return value is not null && long.TryParse(Encoding.ASCII.GetString(value), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    [LoggerMessage(LogLevel.Warning, "Recording a seeder of {InfoHash} failed: {Reason}")]
    private static partial void LogRecordFailed(ILogger logger, string infoHash, string reason);
}
