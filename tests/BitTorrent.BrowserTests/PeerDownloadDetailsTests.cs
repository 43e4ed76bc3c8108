using System.Diagnostics;
using System.Globalization;
using BitTorrent.BrowserTests.Infrastructure;
using BitTorrent.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BitTorrent.BrowserTests;

/// <summary>
/// Watching a download in the peer's UI (through the gateway): its details with peers and piece map, live by
/// server-sent events, and a video playing while it downloads. Each test adds a seeder of its own that uploads
/// at 1 MiB/s, so the download is still running while the test looks at it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PeerDownloadDetailsTests(BrowserSystem system)
{
    private const long SlowUpload = 1024 * 1024;

    private Task<PeerProcess> StartSlowSeederAsync(string name) => PeerProcess.StartAsync(system.Ring, system.Folder.Sub(name),
        new Dictionary<string, string> { ["Transfer__UploadRateLimit"] = SlowUpload.ToString(CultureInfo.InvariantCulture) });

    [Fact]
    public async Task The_details_of_a_running_download_show_its_seeder_in_the_peers_table_and_its_pieces_coloured_by_source()
    {
        const string name = "details-in-browser.bin";
        // Two seeders of the same file: the map shows which served which piece.
        await using var seeder = await StartSlowSeederAsync("details-seeder");
        await using var second = await StartSlowSeederAsync("details-seeder-2");
        var source = system.Folder.RandomFile(name, 32L * 1024 * 1024, seed: 61);
        var infoHash = await system.PublishViaApiAsync(seeder, source);
        Assert.Equal(infoHash, await system.PublishViaApiAsync(second, source));
        var seederPort = (await seeder.MeAsync()).TransferPort;
        var secondPort = (await second.MeAsync()).TransferPort;
        await using var context = await system.NewContextAsync();
        var leecher = await PeerPage.OpenAsync(system, context, system.Peer2Id);
        await Expect(leecher.Page.Locator("body")).ToHaveAttributeAsync("data-live", "events"); // the event stream is up, through the gateway

        var row = await leecher.FindAvailableAsync(name);
        await row.GetByRole(AriaRole.Button, new() { Name = "Download file" }).ClickAsync();
        var download = leecher.DownloadRow(name);
        await Expect(download.Locator(".state")).ToContainTextAsync("downloading", new() { Timeout = 20_000 });
        await download.GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();

        var details = leecher.Page.Locator("#download-details");
        await Expect(details.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
        var peer = details.Locator("#details-peers tbody tr").Filter(new() { HasTextString = $":{seederPort}" });
        await Expect(peer).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Expect(peer).ToContainTextAsync("D&D BitTorrent");
        await Expect(peer).ToContainTextAsync("seeder");
        await Expect(peer).ToContainTextAsync("100%");
        await Expect(peer.Locator("td[data-label=Down]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[1-9][\d.]* (B|KiB|MiB)/s$"), new() { Timeout = 10_000 });
        await Expect(details.Locator("#details-peers tbody tr").Filter(new() { HasTextString = $":{secondPort}" })).ToContainTextAsync("seeder");
        // The legend names both seeders as sources of verified pieces, and the map draws each in its colour.
        await Expect(details.Locator(".legend")).ToContainTextAsync($":{seederPort}", new() { Timeout = 20_000 });
        await Expect(details.Locator(".legend")).ToContainTextAsync($":{secondPort}", new() { Timeout = 20_000 });
        await Expect(details.Locator("#piece-map")).ToBeVisibleAsync();
        var colours = await details.Locator("#piece-map").EvaluateAsync<int>(
            """
            canvas => {
              const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              const seen = new Set();
              for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
              return seen.size;
            }
            """);
        Assert.True(colours >= 3, $"the piece map shows {colours} colour(s), not missing pieces and two seeders' pieces");
        var progress = (await system.Peer2.DownloadAsync(infoHash)).Progress;
        Assert.True(progress < 1, "the download finished before its details were looked at");
        await leecher.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-download-details.png"), FullPage = true });

        // At 375 px the same view reads without sideways scrolling.
        await leecher.Page.SetViewportSizeAsync(375, 800);
        await Expect(peer).ToBeVisibleAsync();
        Assert.False(await PeerPage.HasHorizontalScrollAsync(leecher.Page), "the download details scroll sideways at 375 px");
        await leecher.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-download-details-narrow.png"), FullPage = true });

        // The event stream keeps the view current until it is done.
        await Expect(download.Locator(".state")).ToHaveTextAsync("done · 100%", new() { Timeout = 60_000 });
        await Expect(details.Locator("dl.stats")).ToContainTextAsync("32.0 MiB of 32.0 MiB (100%)");
    }

    [Fact]
    public async Task A_video_plays_in_the_details_view_while_it_is_still_downloading()
    {
        const string name = "streamed-video.webm";
        var video = MakeVideo(Path.Combine(system.Folder.Sub("video"), name));
        await using var seeder = await StartSlowSeederAsync("video-seeder");
        var infoHash = await system.PublishViaApiAsync(seeder, video);
        var length = new FileInfo(video).Length;
        Assert.True(length > 8 * SlowUpload, $"the video is {length} bytes: it would download before it could be watched");
        await using var context = await system.NewContextAsync();
        try
        {
            var leecher = await PeerPage.OpenAsync(system, context, system.Peer2Id);

            var row = await leecher.FindAvailableAsync(name);
            await row.GetByRole(AriaRole.Button, new() { Name = "Download file" }).ClickAsync();
            var download = leecher.DownloadRow(name);
            await download.GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();
            var details = leecher.Page.Locator("#download-details");
            await details.GetByRole(AriaRole.Button, new() { Name = "Play" }).ClickAsync();

            var player = details.Locator("video");
            await Expect(player).ToHaveAttributeAsync("src", $"api/files/{infoHash}/content");
            await leecher.Page.WaitForFunctionAsync("() => document.querySelector('#download-details video').currentTime > 1.5", null,
                new() { Timeout = 45_000, PollingInterval = 200 });
            var progress = (await system.Peer2.DownloadAsync(infoHash)).Progress;
            var playedFor = await player.EvaluateAsync<double>("v => v.currentTime");
            Assert.True(progress < 1, $"the video was whole ({progress:P0}) before it played: nothing was streamed");
            Assert.Equal(0, await player.EvaluateAsync<int>("v => v.error ? v.error.code : 0"));
            await leecher.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-play-while-downloading.png") });

            // It keeps playing: time advances.
            await leecher.Page.WaitForFunctionAsync($"() => document.querySelector('#download-details video').currentTime > {(playedFor + 1).ToString(CultureInfo.InvariantCulture)}",
                null, new() { Timeout = 20_000, PollingInterval = 200 });
        }
        finally
        {
            // Its seeder stops with the test: a download left waiting would hold one of peer 2's active slots for later tests.
            using var cancelled = await system.Peer2.Http.PostAsync($"api/downloads/{infoHash}/cancel", null);
        }
    }

    /// <summary>
    /// A real WebM (VP8, 192x108, 30 s at about 4 Mbit/s) made by ffmpeg from its test pattern with heavy noise, so
    /// it does not compress away: about 14 MB, 14 s of download from a 1 MiB/s seeder, played at half that rate.
    /// </summary>
    private static string MakeVideo(string path)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            ArgumentList =
            {
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=192x108:rate=25,noise=alls=100:allf=t+u",
                "-t", "30", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "16", "-b:v", "4M", "-minrate", "4M", "-maxrate", "4M",
                "-an", path,
            },
            RedirectStandardError = true,
        };
        using var ffmpeg = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start (install the Debian package ffmpeg)");
        var errors = ffmpeg.StandardError.ReadToEnd();
        if (!ffmpeg.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            ffmpeg.Kill();
            throw new TimeoutException("ffmpeg took over 3 minutes to make the test video");
        }
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed: {errors}");
        return path;
    }
}
