using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using BitTorrent.Peer.Storage;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Limits;

/// <summary>The active-downloads limit and its queue, and the settings, on real peer processes.</summary>
[Collection(Alone.Name)]
[Trait(Alone.Trait, Alone.Value)]
public sealed class QueueTests(ITestOutputHelper output)
{
    private const long Length = 6L * 1024 * 1024;
    private const long Slow = 2 * 1024 * 1024; // each file takes about three seconds

    [Fact]
    public async Task With_one_active_download_allowed_the_others_are_queued_and_start_in_the_order_the_user_chose_as_each_ends()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var seeder = await PeerProcess.StartAsync(ring, folder.Sub("seeder"));
        var a = await seeder.PublishAsync(folder.RandomFile("a.bin", Length, seed: 1));
        var b = await seeder.PublishAsync(folder.RandomFile("b.bin", Length, seed: 2));
        var c = await seeder.PublishAsync(folder.RandomFile("c.bin", Length, seed: 3));
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        await PutSettingsAsync(leecher, new { maxActiveDownloads = 1, downloadLimit = Slow });

        var started = new List<DownloadView>();
        foreach (var file in new[] { a, b, c })
        {
            using var response = await leecher.StartDownloadAsync(file.InfoHash);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            started.Add((await response.Content.ReadFromJsonAsync<DownloadView>(ChordRing.Json))!);
        }
        Assert.NotEqual("queued", started[0].State);
        Assert.Equal(("queued", 0), (started[1].State, started[1].QueuePosition));
        Assert.Equal(("queued", 1), (started[2].State, started[2].QueuePosition));

        // The user puts c first; b is now second. A download that is not queued has no place to move.
        using (var move = await leecher.Http.PostAsync($"api/downloads/{c.InfoHash}/queue/top", null))
        {
            Assert.Equal(HttpStatusCode.OK, move.StatusCode);
            Assert.Equal(0, (await move.Content.ReadFromJsonAsync<DownloadView>(ChordRing.Json))!.QueuePosition);
        }
        Assert.Equal(1, (await leecher.DownloadAsync(b.InfoHash)).QueuePosition);
        using (var refused = await leecher.Http.PostAsync($"api/downloads/{a.InfoHash}/queue/up", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        using (var unknown = await leecher.Http.PostAsync($"api/downloads/{b.InfoHash}/queue/sideways", null))
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);

        // a ends: c starts, b still waits.
        await leecher.WaitForStateAsync(a.InfoHash, "completed", TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(async () => (await leecher.DownloadAsync(c.InfoHash)).State != "queued", TimeSpan.FromSeconds(10), "c did not start after a ended");
        DownloadDetailsView? whileC = null;
        await Eventually.TrueAsync(async () => (whileC = await leecher.DownloadAsync(b.InfoHash)).QueuePosition != 1, TimeSpan.FromSeconds(2),
            "b's place did not move up"); // other downloads' places are republished at the next engine tick
        Assert.Equal(("queued", 0), (whileC!.State, whileC.QueuePosition));
        Assert.NotEqual("completed", (await leecher.DownloadAsync(c.InfoHash)).State); // b waited while c ran

        // c ends: b starts and completes.
        await leecher.WaitForStateAsync(c.InfoHash, "completed", TimeSpan.FromSeconds(60));
        await leecher.WaitForStateAsync(b.InfoHash, "completed", TimeSpan.FromSeconds(60));
        foreach (var (file, seed) in new[] { (a, 1), (b, 2), (c, 3) })
            Assert.Equal(TempFolder.Sha256(folder.RandomFile($"check-{seed}.bin", Length, seed)), await leecher.ContentSha256Async(file.InfoHash));
    }

    [Fact]
    public async Task Settings_limits_and_the_queue_survive_a_peer_restart_and_bad_values_are_refused_with_the_reason()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var seeder = await PeerProcess.StartAsync(ring, folder.Sub("seeder"));
        var a = await seeder.PublishAsync(folder.RandomFile("a.bin", 4 * Length, seed: 4));
        var b = await seeder.PublishAsync(folder.RandomFile("b.bin", Length, seed: 5));
        var c = await seeder.PublishAsync(folder.RandomFile("c.bin", Length, seed: 6));
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"),
            new Dictionary<string, string> { ["Transfer__UploadRateLimit"] = "65536" });

        // The configured upload limit is the default until a setting is saved.
        Assert.Equal(new PeerSettings(0, 65536, 0), await GetSettingsAsync(leecher));
        var saved = new PeerSettings(Slow / 2, 3 * 1024 * 1024, 1);
        Assert.Equal(saved, await PutSettingsAsync(leecher, new { downloadLimit = saved.DownloadLimit, uploadLimit = saved.UploadLimit, maxActiveDownloads = 1 }));

        // Bad values: 400 problem details naming each field, nothing changed.
        using (var bad = await leecher.Http.PutAsJsonAsync("api/settings", new { downloadLimit = -1, maxActiveDownloads = 100_000 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
            var errors = problem.RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty("downloadLimit", out _));
            Assert.True(errors.TryGetProperty("maxActiveDownloads", out _));
        }
        using (var notJson = await leecher.Http.PutAsync("api/settings", new StringContent("{ \"downloadLimit\": \"fast\" }", System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(saved, await GetSettingsAsync(leecher));

        foreach (var file in new[] { a, b, c })
            using (var response = await leecher.StartDownloadAsync(file.InfoHash))
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using (var move = await leecher.Http.PostAsync($"api/downloads/{c.InfoHash}/queue/top", null))
            Assert.Equal(HttpStatusCode.OK, move.StatusCode);
        using (var limits = await leecher.Http.PutAsJsonAsync($"api/downloads/{b.InfoHash}/limits", new { downloadLimit = 123_456, uploadLimit = 654_321 }))
            Assert.Equal(HttpStatusCode.OK, limits.StatusCode);
        using (var badLimit = await leecher.Http.PutAsJsonAsync($"api/downloads/{b.InfoHash}/limits", new { uploadLimit = -3 }))
            Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);

        await leecher.RestartAsync(ring);

        Assert.Equal(saved, await GetSettingsAsync(leecher)); // the saved settings win over the configured default
        await Eventually.TrueAsync(async () => (await leecher.DownloadAsync(a.InfoHash)).State is "downloading" or "waiting",
            TimeSpan.FromSeconds(20), "a did not resume");
        var cAfter = await leecher.DownloadAsync(c.InfoHash);
        var bAfter = await leecher.DownloadAsync(b.InfoHash);
        Assert.Equal(("queued", 0), (cAfter.State, cAfter.QueuePosition));
        Assert.Equal(("queued", 1), (bAfter.State, bAfter.QueuePosition));
        Assert.Equal((123_456L, 654_321L), (bAfter.DownloadLimit, bAfter.UploadLimit));

        // Lifting the limits at run time starts the queue at once, and everything completes.
        await PutSettingsAsync(leecher, new { downloadLimit = 0, maxActiveDownloads = 0 });
        using (var lift = await leecher.Http.PutAsJsonAsync($"api/downloads/{b.InfoHash}/limits", new { downloadLimit = 0 }))
            Assert.Equal(0, (await lift.Content.ReadFromJsonAsync<DownloadView>(ChordRing.Json))!.DownloadLimit);
        foreach (var file in new[] { a, b, c })
            await leecher.WaitForStateAsync(file.InfoHash, "completed", TimeSpan.FromSeconds(60));
    }

    private static async Task<PeerSettings> GetSettingsAsync(PeerProcess peer) =>
        (await peer.Http.GetFromJsonAsync<PeerSettings>("api/settings", ChordRing.Json))!;

    private static async Task<PeerSettings> PutSettingsAsync(PeerProcess peer, object settings)
    {
        using var response = await peer.Http.PutAsJsonAsync("api/settings", settings);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PeerSettings>(ChordRing.Json))!;
    }
}
