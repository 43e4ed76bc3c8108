using System.Net;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

/// <summary>Catalog entries with no seeder for Tracker:StaleAfter shown as unavailable, and hidden on request.</summary>
public sealed class TrackerServiceStaleCatalogTests
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);
    private readonly ManualTimeProvider _time = new();
    private readonly TrackerService _tracker;

    public TrackerServiceStaleCatalogTests()
    {
        _tracker = new TrackerService(new InMemoryDht(_time), Options.Create(new TrackerOptions { StaleAfter = StaleAfter, CountCacheDuration = TimeSpan.Zero }),
            _time, NullLogger<TrackerService>.Instance);
    }

    private Task<AnnounceResult> Announce(string infoHash, long left, AnnounceEvent announceEvent = AnnounceEvent.None) =>
        _tracker.AnnounceAsync(new AnnounceRequest(Id160.Parse(infoHash), Id160.Hash("seeder"), 6881, 0, 0, left, announceEvent, 50, Compact: true, NoPeerId: false, null),
            IPAddress.Parse("10.0.0.1"));

    private async Task<TrackerFileSummary> RowAsync(string infoHash) =>
        (await _tracker.QueryFilesAsync(CatalogQuery.All())).Items.Single(f => f.InfoHash == infoHash);

    [Fact]
    public async Task A_file_is_available_while_a_seeder_was_seen_within_StaleAfter_and_unavailable_after()
    {
        var hash = (await _tracker.PublishAsync(Torrents.SingleFile("seeded.bin", 1000))).InfoHash;
        _time.Advance(StaleAfter * 2); // its publish date alone no longer counts
        await Announce(hash, left: 0);
        await Announce(hash, left: 0, AnnounceEvent.Stopped);
        _time.Advance(StaleAfter - TimeSpan.FromHours(1));

        Assert.Equal((0, true), ((await RowAsync(hash)).Seeders, (await RowAsync(hash)).Available));

        _time.Advance(TimeSpan.FromHours(2));

        Assert.False((await RowAsync(hash)).Available);
        Assert.DoesNotContain((await _tracker.QueryFilesAsync(CatalogQuery.All() with { AvailableOnly = true })).Items, f => f.InfoHash == hash);
    }

    [Fact]
    public async Task A_new_file_counts_as_seen_when_published_and_a_leecher_alone_does_not_keep_it_available()
    {
        var hash = (await _tracker.PublishAsync(Torrents.SingleFile("fresh.bin", 1000))).InfoHash;
        Assert.True((await RowAsync(hash)).Available);

        _time.Advance(StaleAfter + TimeSpan.FromMinutes(1));
        await Announce(hash, left: 500); // a leecher waiting for a seeder

        var row = await RowAsync(hash);
        Assert.Equal((0, 1, false), (row.Seeders, row.Leechers, row.Available));
        var page = await _tracker.QueryFilesAsync(new CatalogQuery(null, CatalogSort.Seeders, true, 1, 10, AvailableOnly: true));
        Assert.Equal(0, page.Total);
    }

    [Fact]
    public async Task A_seeder_coming_back_makes_a_stale_file_available_again()
    {
        var hash = (await _tracker.PublishAsync(Torrents.SingleFile("back.bin", 1000))).InfoHash;
        _time.Advance(StaleAfter * 3);
        Assert.False((await RowAsync(hash)).Available);

        await Announce(hash, left: 0);

        Assert.True((await RowAsync(hash)).Available);
        Assert.Contains((await _tracker.QueryFilesAsync(CatalogQuery.All() with { AvailableOnly = true })).Items, f => f.InfoHash == hash);
    }
}
