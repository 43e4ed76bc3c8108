using System.Net;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.IntegrationTests.Peers;

/// <summary>A ring whose catalog entries go stale after two seconds without a seeder, and two peers.</summary>
public sealed class StaleCatalogFixture : IAsyncLifetime
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(2);

    public ChordRing Ring { get; } = new(environment: new Dictionary<string, string> { ["Tracker__StaleAfter"] = StaleAfter.ToString("c") });
    public TempFolder Folder { get; } = new();
    public PeerProcess Publisher { get; private set; } = null!;
    public PeerProcess Other { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Ring.StartAsync(3);
        await Ring.WaitConvergedAsync();
        Publisher = await PeerProcess.StartAsync(Ring, Folder.Sub("publisher"));
        Other = await PeerProcess.StartAsync(Ring, Folder.Sub("other"));
    }

    public async Task DisposeAsync()
    {
        if (Publisher is not null) await Publisher.DisposeAsync();
        if (Other is not null) await Other.DisposeAsync();
        await Ring.DisposeAsync();
        Folder.Dispose();
    }
}

/// <summary>Unpublishing from the peer, and entries whose seeders left long ago shown as unavailable.</summary>
public sealed class CatalogEntryLifetimeTests(StaleCatalogFixture system) : IClassFixture<StaleCatalogFixture>
{
    [Fact]
    public async Task Unpublishing_from_the_peer_removes_the_catalog_entry_and_only_its_publisher_may()
    {
        var file = await system.Publisher.PublishAsync(system.Folder.RandomFile("unpublish-me.bin", 300_000, seed: 71));
        using (var start = await system.Other.StartDownloadAsync(file.InfoHash)) Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await system.Other.WaitForStateAsync(file.InfoHash, "completed", TimeSpan.FromSeconds(90));

        using (var refused = await system.Other.Http.DeleteAsync($"api/files/{file.InfoHash}?unpublish=true"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.Contains(file.InfoHash, await system.Other.Http.GetStringAsync("api/files"), StringComparison.Ordinal); // nothing was removed
        Assert.Contains(await CatalogAsync(), f => f.InfoHash == file.InfoHash);

        using (var unpublished = await system.Publisher.Http.DeleteAsync($"api/files/{file.InfoHash}?unpublish=true&deleteData=false"))
            Assert.Equal(HttpStatusCode.NoContent, unpublished.StatusCode);

        Assert.DoesNotContain(await CatalogAsync(), f => f.InfoHash == file.InfoHash);
        var seen = await system.Other.Http.GetFromJsonAsync<List<CatalogView>>("api/catalog", ChordRing.Json);
        Assert.DoesNotContain(seen!, f => f.InfoHash == file.InfoHash);
        Assert.True(File.Exists(Path.Combine(system.Publisher.Storage, "files", file.InfoHash, "unpublish-me.bin")), "the data was kept as asked");
    }

    [Fact]
    public async Task An_entry_without_a_seeder_for_StaleAfter_shows_unavailable_and_available_true_hides_it()
    {
        var leaving = await system.Publisher.PublishAsync(system.Folder.RandomFile("leaving.bin", 2000, seed: 72));
        var staying = await system.Publisher.PublishAsync(system.Folder.RandomFile("staying.bin", 2000, seed: 73));
        Assert.All((await CatalogAsync()).Where(f => f.InfoHash == leaving.InfoHash || f.InfoHash == staying.InfoHash), f => Assert.True(f.Available));

        // Its only seeder stops sharing it (the catalog entry stays).
        using (var remove = await system.Publisher.Http.DeleteAsync($"api/files/{leaving.InfoHash}?deleteData=false"))
            Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);

        await Eventually.TrueAsync(async () => (await CatalogAsync()).Single(f => f.InfoHash == leaving.InfoHash) is { Available: false, Seeders: 0 },
            TimeSpan.FromSeconds(60), "the entry never became unavailable");
        Assert.True((await CatalogAsync()).Single(f => f.InfoHash == staying.InfoHash).Available, "a seeded entry stays available");

        var availableOnly = await CatalogAsync("?available=true");
        Assert.DoesNotContain(availableOnly, f => f.InfoHash == leaving.InfoHash);
        Assert.Contains(availableOnly, f => f.InfoHash == staying.InfoHash);
        var page = (await system.Ring.Http.GetFromJsonAsync<TrackerFilePage>($"{system.Ring.Nodes[1].Url}/api/tracker/files?available=true&page=1&pageSize=50", ChordRing.Json))!;
        Assert.DoesNotContain(page.Items, f => f.InfoHash == leaving.InfoHash);
        Assert.Equal(page.Items.Count, page.Total);

        // The peer's catalog passes it through: shown unavailable, hidden with available=true.
        var all = (await system.Other.Http.GetFromJsonAsync<List<CatalogView>>("api/catalog", ChordRing.Json))!;
        Assert.False(all.Single(f => f.InfoHash == leaving.InfoHash).Available);
        var hidden = (await system.Other.Http.GetFromJsonAsync<List<CatalogView>>("api/catalog?available=true", ChordRing.Json))!;
        Assert.DoesNotContain(hidden, f => f.InfoHash == leaving.InfoHash);
        Assert.Contains(hidden, f => f.InfoHash == staying.InfoHash);
    }

    private async Task<List<TrackerFileSummary>> CatalogAsync(string query = "") =>
        (await system.Ring.Http.GetFromJsonAsync<List<TrackerFileSummary>>($"{system.Ring.Nodes[0].Url}/api/tracker/files{query}", ChordRing.Json))!;
}
