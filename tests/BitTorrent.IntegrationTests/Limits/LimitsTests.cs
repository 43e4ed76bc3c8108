using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Limits;

/// <summary>
/// Rate limits set at run time through the API of real peer processes on loopback: the rate a leecher receives,
/// sampled over ten seconds after a warm-up, is the limit within ±15% (a correctness check of the limit, not a
/// speed measurement: unlimited, loopback moves hundreds of MiB/s).
/// </summary>
[Collection(Alone.Name)]
[Trait(Alone.Trait, Alone.Value)]
public sealed class LimitsTests(ITestOutputHelper output)
{
    private const long Limit = 2 * 1024 * 1024;
    private const long FileLength = 48L * 1024 * 1024; // more than 2 MiB/s moves in the warm-up and the window
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public enum Where
    {
        /// <summary>The leecher's download limit in /api/settings.</summary>
        LeecherSettingsDownload,

        /// <summary>The seeder's upload limit in /api/settings.</summary>
        SeederSettingsUpload,

        /// <summary>The download's own limit (PUT /api/downloads/{id}/limits), under a looser limit in the settings.</summary>
        DownloadsOwnLimit,
    }

    [Theory]
    [InlineData(Where.LeecherSettingsDownload)]
    [InlineData(Where.SeederSettingsUpload)]
    [InlineData(Where.DownloadsOwnLimit)]
    public async Task A_2_MiB_per_second_limit_gives_2_MiB_per_second_within_15_percent_over_ten_seconds(Where where)
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var seeder = await PeerProcess.StartAsync(ring, folder.Sub("seeder"));
        var file = await seeder.PublishAsync(folder.RandomFile("limited.bin", FileLength, seed: 21));
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));

        switch (where)
        {
            case Where.LeecherSettingsDownload:
                await PutSettingsAsync(leecher, new { downloadLimit = Limit });
                break;
            case Where.SeederSettingsUpload:
                await PutSettingsAsync(seeder, new { uploadLimit = Limit });
                break;
            case Where.DownloadsOwnLimit:
                await PutSettingsAsync(leecher, new { downloadLimit = 4 * Limit });
                break;
        }
        using (var start = await leecher.StartDownloadAsync(file.InfoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        if (where == Where.DownloadsOwnLimit)
        {
            using var limits = await leecher.Http.PutAsJsonAsync($"api/downloads/{file.InfoHash}/limits", new { downloadLimit = Limit });
            Assert.Equal(HttpStatusCode.OK, limits.StatusCode);
            Assert.Equal(Limit, (await limits.Content.ReadFromJsonAsync<DownloadView>(ChordRing.Json))!.DownloadLimit);
        }

        // Warm-up: the first blocks arrived, then two more seconds for the pipeline to settle.
        await Eventually.TrueAsync(async () => (await leecher.DownloadAsync(file.InfoHash)).BytesReceived > 0, TimeSpan.FromSeconds(30), "no bytes arrived");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var clock = Stopwatch.StartNew();
        var before = (await leecher.DownloadAsync(file.InfoHash)).BytesReceived;
        await Task.Delay(Window);
        var after = await leecher.DownloadAsync(file.InfoHash);
        var seconds = clock.Elapsed.TotalSeconds;
        var rate = (after.BytesReceived - before) / seconds;

        output.WriteLine($"{where}: {rate / (1024 * 1024):F3} MiB/s over {seconds:F2} s ({after.State}, {after.Progress:P0})");
        Assert.NotEqual("completed", after.State); // the whole window was under the limit
        Assert.InRange(rate, Limit * 0.85, Limit * 1.15);
    }

    private static async Task PutSettingsAsync(PeerProcess peer, object settings)
    {
        using var response = await peer.Http.PutAsJsonAsync("api/settings", settings);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
