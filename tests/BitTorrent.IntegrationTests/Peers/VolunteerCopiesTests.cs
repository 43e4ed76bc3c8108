using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Peers;

/// <summary>
/// Files that stay available, end to end on a real ring: a publisher asks for three copies, three volunteers lend room, and the
/// ring keeps the file at its target while peers come and go. The ring's volunteer timings are shortened (poll 1 s, lease 10 s,
/// drop grace 3 s), and a dead seeder stops counting within 9 s (announce 4 s and 5 s of slack; its entry expires at 12 s), so each
/// step settles in seconds.
/// </summary>
[Collection(Alone.Name)]
[Trait(Alone.Trait, Alone.Value)]
public sealed class VolunteerCopiesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string> RingSettings = new()
    {
        ["Tracker__VolunteerPollInterval"] = "00:00:01",
        ["Tracker__VolunteerLease"] = "00:00:10",
        ["Tracker__VolunteerDropGrace"] = "00:00:03",
        ["Tracker__MinAnnounceInterval"] = "00:00:02",
        ["Tracker__AnnounceInterval"] = "00:00:04",
        ["Tracker__PeerTtl"] = "00:00:12",
    };

    private static readonly Dictionary<string, string> Volunteering = new()
    {
        ["Peer__Volunteer__MaxBytes"] = (64L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Peer__Volunteer__RetryInterval"] = "00:00:01",
    };

    [Fact]
    public async Task The_ring_keeps_a_file_at_its_target_copies_while_its_publisher_leaves_and_drops_only_volunteer_copies()
    {
        using var folder = new TempFolder();
        await using var ring = new ChordRing(output, RingSettings);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"));
        var volunteers = new List<PeerProcess>();
        try
        {
            for (var i = 0; i < 3; i++) volunteers.Add(await PeerProcess.StartAsync(ring, folder.Sub($"volunteer-{i}"), Volunteering));
            var original = folder.RandomFile("kept.bin", 3 * 1024 * 1024 + 4321, seed: 171);

            // Out of range: refused with problem details, nothing published.
            using (var refused = await PublishAsync(publisher, original, "17"))
            {
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            }
            FileView file;
            using (var published = await PublishAsync(publisher, original, "3"))
            {
                Assert.Equal(HttpStatusCode.Created, published.StatusCode);
                file = (await published.Content.ReadFromJsonAsync<FileView>(ChordRing.Json))!;
            }

            // Two volunteers fetch a copy: publisher + 2 = 3 seeders; each copy is listed apart from the volunteer's own files.
            await WaitForSeedersAsync(publisher, file.InfoHash, 3, 3, "the publisher and two volunteer copies");
            var holders = await HoldersAsync(volunteers, file.InfoHash);
            Assert.Equal(2, holders.Count);
            foreach (var holder in holders)
            {
                Assert.DoesNotContain(file.InfoHash, await holder.Http.GetStringAsync("api/files"), StringComparison.Ordinal);
                Assert.DoesNotContain(file.InfoHash, await holder.Http.GetStringAsync("api/downloads"), StringComparison.Ordinal);
                var view = (await holder.Http.GetFromJsonAsync<VolunteerView>("api/volunteer", ChordRing.Json))!;
                Assert.Equal(file.Length, view.UsedBytes);
                Assert.Equal("kept.bin", Assert.Single(view.Copies).Name);
            }

            // The publisher leaves: the third volunteer takes a copy and the file is back at three seeders.
            var publisherFiles = Path.Combine(publisher.Storage, "files", file.InfoHash);
            var aside = Path.Combine(folder.Path, "publisher-file-aside");
            await publisher.RestartAsync(ring, () => Directory.Move(publisherFiles, aside)); // back without its data: it seeds nothing
            await Eventually.TrueAsync(async () => (await HoldersAsync(volunteers, file.InfoHash)).Count == 3, Settle, "the third volunteer never took a copy");
            await WaitForSeedersAsync(volunteers[0], file.InfoHash, 3, 3, "three volunteer copies after the publisher left");

            // A fresh peer downloads it with the publisher gone; then it removes its copy again.
            await using (var fresh = await PeerProcess.StartAsync(ring, folder.Sub("fresh")))
            {
                using (var start = await fresh.StartDownloadAsync(file.InfoHash)) Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
                await fresh.WaitForStateAsync(file.InfoHash, "completed", TimeSpan.FromSeconds(90));
                Assert.Equal(TempFolder.Sha256(original), await fresh.ContentSha256Async(file.InfoHash));
                using var removed = await fresh.Http.DeleteAsync($"api/files/{file.InfoHash}?deleteData=true");
                Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
            }

            // Four copies wanted, three volunteers: the catalog shows 3 of 4 and stays there.
            using (var raise = await publisher.Http.PutAsJsonAsync($"api/files/{file.InfoHash}/copies", new { copies = 4 }))
                Assert.Equal(HttpStatusCode.NoContent, raise.StatusCode);
            await WaitForSeedersAsync(volunteers[0], file.InfoHash, 3, 4, "3 of 4 copies");
            using (var stranger = await volunteers[0].Http.PutAsJsonAsync($"api/files/{file.InfoHash}/copies", new { copies = 5 }))
                Assert.Equal(HttpStatusCode.Forbidden, stranger.StatusCode); // only the publisher sets the target
            using (var outOfRange = await publisher.Http.PutAsJsonAsync($"api/files/{file.InfoHash}/copies", new { copies = 0 }))
                Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);

            // The publisher is back with its data (4 seeders), then asks for 2: two volunteer copies are dropped after the grace,
            // the publisher's own file never.
            await publisher.RestartAsync(ring, () => Directory.Move(aside, publisherFiles));
            await WaitForSeedersAsync(publisher, file.InfoHash, 4, 4, "the publisher back beside three volunteers");
            using (var lower = await publisher.Http.PutAsJsonAsync($"api/files/{file.InfoHash}/copies", new { copies = 2 }))
                Assert.Equal(HttpStatusCode.NoContent, lower.StatusCode);
            await WaitForSeedersAsync(publisher, file.InfoHash, 2, 2, "two copies after the drops");
            await Eventually.TrueAsync(async () => (await HoldersAsync(volunteers, file.InfoHash)).Count == 1, Settle, "two volunteer copies were not dropped");
            Assert.Contains(file.InfoHash, await publisher.Http.GetStringAsync("api/files"), StringComparison.Ordinal);
            Assert.Equal(TempFolder.Sha256(original), await publisher.ContentSha256Async(file.InfoHash));
            var dropped = volunteers.Where(v => !Directory.Exists(Path.Combine(v.Storage, "files", file.InfoHash))).ToList();
            Assert.Equal(2, dropped.Count); // their data is deleted
        }
        finally
        {
            foreach (var volunteer in volunteers) await volunteer.DisposeAsync();
            await publisher.DisposeAsync();
        }
    }

    private static async Task<HttpResponseMessage> PublishAsync(PeerProcess peer, string path, string copies)
    {
        using var form = new MultipartFormDataContent();
        var content = new StreamContent(File.OpenRead(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", Path.GetFileName(path));
        form.Add(new StringContent(copies), "copies");
        return await peer.Http.PostAsync("api/files", form);
    }

    /// <summary>Waits until the catalog (as <paramref name="via"/> shows it) lists the file with these seeders and target copies.</summary>
    private static async Task WaitForSeedersAsync(PeerProcess via, string infoHash, int seeders, int copies, string what)
    {
        CatalogView? last = null;
        await Eventually.TrueAsync(async () =>
        {
            var catalog = await via.Http.GetFromJsonAsync<List<CatalogView>>("api/catalog", ChordRing.Json);
            last = catalog!.SingleOrDefault(f => f.InfoHash == infoHash);
            return last is not null && last.Seeders == seeders && last.Copies == copies;
        }, Settle, () => $"never {what} (last: {last?.Seeders} of {last?.Copies})");
    }

    /// <summary>The volunteers that hold the file whole as a volunteer copy.</summary>
    private static async Task<List<PeerProcess>> HoldersAsync(IEnumerable<PeerProcess> volunteers, string infoHash)
    {
        var holders = new List<PeerProcess>();
        foreach (var volunteer in volunteers)
        {
            var view = (await volunteer.Http.GetFromJsonAsync<VolunteerView>("api/volunteer", ChordRing.Json))!;
            if (view.Copies.Any(c => c.InfoHash == infoHash && c.State == "held")) holders.Add(volunteer);
        }
        return holders;
    }
}
