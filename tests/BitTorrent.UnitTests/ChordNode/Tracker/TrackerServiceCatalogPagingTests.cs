using System.Net;
using BitTorrent.ChordNode.Storage;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

/// <summary>The catalog paged and sorted by name, size, seeders and date published.</summary>
public sealed class TrackerServiceCatalogPagingTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryDht _dht;
    private readonly TrackerService _tracker;

    public TrackerServiceCatalogPagingTests()
    {
        _dht = new InMemoryDht(_time);
        _tracker = new TrackerService(_dht, Options.Create(new TrackerOptions { CountCacheDuration = TimeSpan.Zero }), _time, NullLogger<TrackerService>.Instance);
    }

    private async Task<string> Publish(string name, long length)
    {
        var published = await _tracker.PublishAsync(Torrents.SingleFile(name, length));
        _time.Advance(TimeSpan.FromMinutes(1));
        return published.InfoHash;
    }

    private static CatalogQuery Query(CatalogSort sort = CatalogSort.Name, bool descending = false, int page = 1, int pageSize = 50, string? search = null) =>
        new(search, sort, descending, page, pageSize);

    [Fact]
    public async Task Pages_by_name_list_every_file_once_in_order_with_the_total()
    {
        for (var i = 0; i < 23; i++) await Publish($"file-{i:D2}.bin", 100 + i);

        var pages = new List<TrackerFilePage>();
        for (var page = 1; page <= 3; page++) pages.Add(await _tracker.QueryFilesAsync(Query(page: page, pageSize: 10)));

        Assert.All(pages, p => Assert.Equal(23, p.Total));
        Assert.Equal([10, 10, 3], pages.Select(p => p.Items.Count));
        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"file-{i:D2}.bin"), pages.SelectMany(p => p.Items).Select(f => f.Name));
        var beyond = await _tracker.QueryFilesAsync(Query(page: 4, pageSize: 10));
        Assert.Equal(23, beyond.Total);
        Assert.Empty(beyond.Items);
        Assert.Equal(("name", "asc"), (pages[0].Sort, pages[0].Order));
    }

    [Fact]
    public async Task Sorting_by_size_descending_breaks_ties_by_name()
    {
        await Publish("b.bin", 10);
        await Publish("a.bin", 10);
        await Publish("big.bin", 5000);
        await Publish("small.bin", 1);

        var page = await _tracker.QueryFilesAsync(Query(CatalogSort.Size, descending: true));

        Assert.Equal(["big.bin", "a.bin", "b.bin", "small.bin"], page.Items.Select(f => f.Name));
    }

    [Fact]
    public async Task Sorting_by_date_puts_files_without_one_last_in_either_order_and_a_republish_keeps_the_first_date()
    {
        var first = await Publish("first.bin", 1);
        await Publish("second.bin", 1);
        await Publish("third.bin", 1);
        // A catalog entry written before dates were kept.
        var old = Id160.Hash("old file").ToString();
        await _dht.UpdateSetAsync($"catalog/{Id160.Parse(old).Mod(16)}",
            [SetUpdate.Add(old, $$"""{"infoHash":"{{old}}","name":"an-old-one.bin","length":7}""")]);
        var firstDate = (await _tracker.ListFilesAsync("first.bin")).Single().Published;

        // Published again (as every peer does at start): still dated from the first time.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.False((await _tracker.PublishAsync((await _dht.GetAsync($"torrent/{first}"))!)).Created);

        var newest = await _tracker.QueryFilesAsync(Query(CatalogSort.Published, descending: true));
        var oldest = await _tracker.QueryFilesAsync(Query(CatalogSort.Published));

        Assert.Equal(["third.bin", "second.bin", "first.bin", "an-old-one.bin"], newest.Items.Select(f => f.Name));
        Assert.Equal(["first.bin", "second.bin", "third.bin", "an-old-one.bin"], oldest.Items.Select(f => f.Name));
        Assert.Equal(firstDate, oldest.Items[0].Published);
        Assert.Null(oldest.Items[3].Published);
    }

    [Fact]
    public async Task A_file_removed_and_published_again_is_dated_anew()
    {
        var token = (await _tracker.RegisterPeerAsync(new PeerRegistration("10.0.0.1", 7000, "http://10.0.0.1:5201"))).Token;
        var torrent = Torrents.SingleFile("again.bin", 3);
        var hash = (await _tracker.PublishAsync(torrent, publisher: long.Parse(token.Split('.')[0]))).InfoHash;
        var before = (await _tracker.ListFilesAsync(null)).Single().Published;
        Assert.Equal(PeerAccess.Granted, await _tracker.RemoveFileAsync(Id160.Parse(hash), token));

        _time.Advance(TimeSpan.FromHours(2));
        await _tracker.PublishAsync(torrent);

        Assert.Equal(before + TimeSpan.FromHours(2), (await _tracker.ListFilesAsync(null)).Single().Published);
    }

    [Fact]
    public async Task Sorting_by_seeders_reads_every_count_and_pages_the_result()
    {
        await Publish("none.bin", 1);
        var one = await Publish("one.bin", 1);
        var three = await Publish("three.bin", 1);
        async Task Seed(string infoHash, int peer) =>
            await _tracker.AnnounceAsync(new AnnounceRequest(Id160.Parse(infoHash), Id160.Hash($"peer {peer}"), 6000 + peer, 0, 0, 0,
                AnnounceEvent.Started, 50, Compact: true, NoPeerId: false, null), IPAddress.Parse("10.0.0.1"));
        await Seed(one, 1);
        for (var peer = 1; peer <= 3; peer++) await Seed(three, peer);

        var most = await _tracker.QueryFilesAsync(Query(CatalogSort.Seeders, descending: true, pageSize: 2));
        var rest = await _tracker.QueryFilesAsync(Query(CatalogSort.Seeders, descending: true, page: 2, pageSize: 2));

        Assert.Equal([("three.bin", 3), ("one.bin", 1)], most.Items.Select(f => (f.Name, f.Seeders)));
        Assert.Equal([("none.bin", 0)], rest.Items.Select(f => (f.Name, f.Seeders)));
        Assert.Equal(3, most.Total);
    }

    [Fact]
    public async Task Sorting_by_seeders_shows_this_nodes_announces_at_once_and_other_nodes_once_the_snapshot_is_read_again()
    {
        var options = Options.Create(new TrackerOptions { CountCacheDuration = TimeSpan.FromSeconds(2) });
        var tracker = new TrackerService(_dht, options, _time, NullLogger<TrackerService>.Instance);
        var otherNode = new TrackerService(_dht, options, _time, NullLogger<TrackerService>.Instance);
        var here = (await tracker.PublishAsync(Torrents.SingleFile("here.bin", 1))).InfoHash;
        var there = (await tracker.PublishAsync(Torrents.SingleFile("there.bin", 1))).InfoHash;
        static AnnounceRequest Seeder(string infoHash, int peer) => new(Id160.Parse(infoHash), Id160.Hash($"peer {peer}"), 6000 + peer, 0, 0, 0,
            AnnounceEvent.Started, 50, Compact: true, NoPeerId: false, null);
        async Task<IEnumerable<(string, int)>> BySeeders() =>
            (await tracker.QueryFilesAsync(Query(CatalogSort.Seeders, descending: true))).Items.Select(f => (f.Name, f.Seeders));

        Assert.Equal([("here.bin", 0), ("there.bin", 0)], await BySeeders());
        await tracker.AnnounceAsync(Seeder(here, 1), IPAddress.Parse("10.0.0.1"));
        for (var peer = 1; peer <= 2; peer++) await otherNode.AnnounceAsync(Seeder(there, peer), IPAddress.Parse("10.0.0.2"));

        Assert.Equal([("here.bin", 1), ("there.bin", 0)], await BySeeders());
        _time.Advance(TrackerService.CatalogCountsMaxAge);
        Assert.Equal([("there.bin", 2), ("here.bin", 1)], await BySeeders());
    }

    [Fact]
    public async Task A_search_filters_before_paging_and_the_total_counts_the_matches()
    {
        for (var i = 0; i < 12; i++) await Publish($"{(i % 3 == 0 ? "holiday" : "work")}-{i:D2}.jpg", 1);

        var page = await _tracker.QueryFilesAsync(Query(search: "HOLIDAY", pageSize: 3));

        Assert.Equal(4, page.Total);
        Assert.Equal(["holiday-00.jpg", "holiday-03.jpg", "holiday-06.jpg"], page.Items.Select(f => f.Name));
    }
}
