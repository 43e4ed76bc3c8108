using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BitTorrent.ChordNode.Storage;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.IntegrationTests.Trust;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Gateway;

/// <summary>
/// A catalog of 10,000 files, paged and sorted through the gateway on a ring of three: every order is right, pages
/// neither overlap nor skip, the total counts the matches, files without a date come last, and the unpaged listing
/// still returns everything. How fast: <c>scripts/bench.sh catalog</c>.
/// </summary>
public sealed class CatalogPagingTests(ITestOutputHelper output)
{
    private const int Files = 10_000;
    private const int Undated = 100;

    private sealed record Entry(string InfoHash, string Name, long Length, DateTimeOffset? Published);

    [Fact]
    public async Task Ten_thousand_files_page_and_sort_by_name_size_seeders_and_date_through_the_gateway()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring);
        using var gateway = new HttpClient { BaseAddress = new Uri(gatewayProcess.Url), Timeout = TimeSpan.FromMinutes(2) };
        var entries = await WriteCatalogAsync(ring);

        // Two files get seeders, announced as any client would.
        var popular = entries[1234];
        var liked = entries[42];
        for (var peer = 0; peer < 3; peer++)
            await TrustKit.AnnounceAsync(ring.Http, gatewayProcess.Url, Id160.Parse(popular.InfoHash), $"popular-{peer}", 6881 + peer, "started", left: 0);
        await TrustKit.AnnounceAsync(ring.Http, gatewayProcess.Url, Id160.Parse(liked.InfoHash), "liked", 6999, "started", left: 0);

        var byName = entries.OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ThenBy(e => e.InfoHash, StringComparer.Ordinal).ToList();
        var first = await PageAsync(gateway, "sort=name&order=asc&page=1&pageSize=50");
        Assert.Equal((Files, 1, 50, "name", "asc"), (first.Total, first.Page, first.PageSize, first.Sort, first.Order));
        Assert.Equal(byName.Take(50).Select(e => e.InfoHash), first.Items.Select(f => f.InfoHash));
        var last = await PageAsync(gateway, "page=50&pageSize=200");
        Assert.Equal(byName.Skip(9800).Select(e => e.InfoHash), last.Items.Select(f => f.InfoHash));
        Assert.Empty((await PageAsync(gateway, "page=51&pageSize=200")).Items);

        // Every page of 200 in turn: each file once, in order.
        var walked = new List<string>();
        for (var page = 1; page <= 50; page++) walked.AddRange((await PageAsync(gateway, $"sort=name&page={page}&pageSize=200")).Items.Select(f => f.InfoHash));
        Assert.Equal(byName.Select(e => e.InfoHash), walked);

        var bySize = entries.OrderByDescending(e => e.Length).ThenBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ThenBy(e => e.InfoHash, StringComparer.Ordinal).ToList();
        var sized = await PageAsync(gateway, "sort=size&order=desc&page=3&pageSize=25");
        Assert.Equal(bySize.Skip(50).Take(25).Select(e => e.InfoHash), sized.Items.Select(f => f.InfoHash));

        var newest = await PageAsync(gateway, "sort=published&order=desc&page=1&pageSize=10");
        Assert.Equal(entries.Where(e => e.Published is not null).OrderByDescending(e => e.Published).ThenBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ThenBy(e => e.InfoHash, StringComparer.Ordinal)
            .Take(10).Select(e => e.InfoHash), newest.Items.Select(f => f.InfoHash));
        foreach (var order in new[] { "asc", "desc" })
        {
            var tail = await PageAsync(gateway, $"sort=published&order={order}&page={Files / 100}&pageSize=100");
            Assert.Equal(Undated, tail.Items.Count);
            Assert.All(tail.Items, f => Assert.Null(f.Published));
        }

        var seeded = await PageAsync(gateway, "sort=seeders&order=desc&page=1&pageSize=5");
        Assert.Equal([(popular.InfoHash, 3), (liked.InfoHash, 1)], seeded.Items.Take(2).Select(f => (f.InfoHash, f.Seeders)));
        Assert.All(seeded.Items.Skip(2), f => Assert.Equal(0, f.Seeders));

        // A search filters before paging; the total counts the matches.
        var matching = entries.Where(e => e.Name.Contains("report", StringComparison.OrdinalIgnoreCase)).ToList();
        var found = await PageAsync(gateway, "search=REPORT&sort=name&page=1&pageSize=200");
        Assert.Equal(matching.Count, found.Total);
        Assert.Equal(matching.OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ThenBy(e => e.InfoHash, StringComparer.Ordinal).Take(200).Select(e => e.InfoHash),
            found.Items.Select(f => f.InfoHash));

        // Without page fields: the whole catalog as an array, by name, as before.
        var all = (await gateway.GetFromJsonAsync<TrackerFileSummary[]>("/api/tracker/files", ChordRing.Json))!;
        Assert.Equal(byName.Select(e => e.InfoHash), all.Select(f => f.InfoHash));

        // Fields out of range: 400 with a sentence naming the field.
        foreach (var (query, field) in new[] { ("sort=popularity", "sort"), ("order=sideways", "order"), ("page=0", "page"), ("page=1&pageSize=500", "pageSize") })
        {
            using var refused = await gateway.GetAsync($"/api/tracker/files?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem.RootElement}");
        }
    }

    private static async Task<TrackerFilePage> PageAsync(HttpClient gateway, string query)
    {
        using var response = await gateway.GetAsync($"/api/tracker/files?{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{query}: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<TrackerFilePage>(body, ChordRing.Json)!;
    }

    /// <summary>
    /// Writes 10,000 catalog entries straight into the ring's catalog partitions (what 10,000 publishes leave there),
    /// in one set update per partition; the first <see cref="Undated"/> have no date, as entries from before dates were kept.
    /// </summary>
    private static async Task<List<Entry>> WriteCatalogAsync(ChordRing ring)
    {
        var random = new Random(7);
        string[] words = ["holiday", "report", "song", "video", "notes", "backup", "photo", "linux", "draft", "scan"];
        var start = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, Files).Select(i => new Entry(
            Id160.Hash($"catalog file {i}").ToString(),
            $"{words[random.Next(words.Length)]}-{random.Next(100_000):D5}.{(i % 3 == 0 ? "zip" : "bin")}",
            random.NextInt64(1, 64L << 30),
            i < Undated ? null : start.AddMinutes(random.Next(1_000_000)))).ToList();
        foreach (var partition in entries.GroupBy(e => Id160.Parse(e.InfoHash).Mod(16)))
        {
            var updates = partition.Select(e => SetUpdate.Add(e.InfoHash, JsonSerializer.Serialize(
                e.Published is null ? (object)new { infoHash = e.InfoHash, name = e.Name, length = e.Length } : new { infoHash = e.InfoHash, name = e.Name, length = e.Length, published = e.Published },
                ChordRing.Json))).ToList();
            await ring.ExecuteAsync(ring.Nodes[0], new DhtOperation($"catalog/{partition.Key}", DhtOperationKind.UpdateSet, Updates: updates));
        }
        return entries;
    }
}
