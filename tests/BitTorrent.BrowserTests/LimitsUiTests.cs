using System.Net.Http.Json;
using BitTorrent.BrowserTests.Infrastructure;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Storage;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BitTorrent.BrowserTests;

/// <summary>The speed limits and the download queue in the peer's web UI, in Chromium through the gateway.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LimitsUiTests(BrowserSystem system)
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task The_limit_controls_set_the_limits_and_the_queue_controls_reorder_the_waiting_downloads()
    {
        var first = await system.PublishViaApiAsync(system.Peer1, system.Folder.RandomFile("queue-first.bin", 24 * MiB, seed: 71));
        await system.PublishViaApiAsync(system.Peer1, system.Folder.RandomFile("queue-second.bin", 2 * MiB, seed: 72));
        var third = await system.PublishViaApiAsync(system.Peer1, system.Folder.RandomFile("queue-third.bin", 2 * MiB, seed: 73));
        var leecherApi = system.Peer2.Http;
        var before = (await leecherApi.GetFromJsonAsync<PeerSettings>("api/settings", ChordRing.Json))!;
        await using var context = await system.NewContextAsync();
        try
        {
            // The settings panel: one download at a time, at 2 MiB/s.
            var ui = await PeerPage.OpenAsync(system, context, system.Peer2Id);
            await ui.ShowAsync("Downloads");
            var panel = ui.Page.Locator("#limits-panel");
            await ui.Page.GetByText("Speed limits and queue").ClickAsync();
            await panel.GetByLabel("Download limit").FillAsync("2048");
            await panel.GetByLabel("Upload limit").FillAsync("0");
            await panel.GetByLabel("Active downloads").FillAsync("1");
            await ui.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-limits.png") });
            await panel.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
            await Expect(ui.Message).ToHaveTextAsync("Saved. Download 2.0 MiB/s · upload unlimited · downloads 1 at a time.");
            await Expect(ui.Page.Locator("#limits-summary")).ToHaveTextAsync("Download 2.0 MiB/s · upload unlimited · downloads 1 at a time");
            Assert.Equal(new PeerSettings(2 * MiB, 0, 1), await leecherApi.GetFromJsonAsync<PeerSettings>("api/settings", ChordRing.Json));

            // Three downloads: the first runs, the others wait in the order they came.
            foreach (var name in new[] { "queue-first.bin", "queue-second.bin", "queue-third.bin" })
            {
                var row = await ui.FindAvailableAsync(name);
                await row.GetByRole(AriaRole.Button, new() { Name = "Download file" }).ClickAsync();
                await Expect(ui.DownloadRow(name)).ToBeVisibleAsync();
            }
            await Expect(ui.Message).ToHaveTextAsync("queue-third.bin is queued: it starts when one of the active downloads ends.");
            await Expect(ui.DownloadRow("queue-second.bin").Locator(".state")).ToContainTextAsync("queued");
            await Expect(ui.DownloadRow("queue-second.bin")).ToContainTextAsync("Place 1 in the queue");
            await Expect(ui.DownloadRow("queue-third.bin")).ToContainTextAsync("Place 2 in the queue");
            await Expect(ui.DownloadRow("queue-first.bin").Locator(".state")).Not.ToContainTextAsync("queued");

            // The third goes to the top of the queue.
            await ui.DownloadRow("queue-third.bin").GetByRole(AriaRole.Button, new() { Name = "Move queue-third.bin to the top of the queue" }).ClickAsync();
            await Expect(ui.DownloadRow("queue-third.bin")).ToContainTextAsync("Place 1 in the queue");
            await Expect(ui.DownloadRow("queue-second.bin")).ToContainTextAsync("Place 2 in the queue");
            Assert.Equal(0, (await system.Peer2.DownloadAsync(third)).QueuePosition);
            await ui.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-queue.png") });

            // One download's own limit, in its dialog.
            await ui.DownloadRow("queue-first.bin").GetByRole(AriaRole.Button, new() { Name = "Limits…" }).ClickAsync();
            var dialog = ui.Page.Locator("#download-limits");
            await Expect(dialog).ToBeVisibleAsync();
            await dialog.GetByLabel("Download limit").FillAsync("1024");
            await dialog.GetByLabel("Upload limit").FillAsync("512");
            await ui.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-download-limits.png") });
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
            await Expect(ui.Message).ToHaveTextAsync("queue-first.bin: download 1.0 MiB/s, upload 512.0 KiB/s.");
            await Expect(ui.DownloadRow("queue-first.bin")).ToContainTextAsync("Own limits: ↓ 1.0 MiB/s, ↑ 512.0 KiB/s");
            var own = await system.Peer2.DownloadAsync(first);
            Assert.Equal((1 * MiB, 512L * 1024), (own.DownloadLimit, own.UploadLimit));

            // A value that is not a limit is refused with a sentence, and nothing changes.
            await ui.Page.GetByText("Speed limits and queue").ClickAsync();
            await panel.GetByLabel("Active downloads").FillAsync("-2");
            await panel.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
            await Expect(ui.Message).ToHaveTextAsync("The number of active downloads is a whole number, 0 for no limit.");

            // Readable on a phone: no sideways scrolling with the panel open.
            await ui.Page.SetViewportSizeAsync(375, 800);
            Assert.False(await PeerPage.HasHorizontalScrollAsync(ui.Page));
            await ui.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-limits-narrow.png") });
            await ui.Page.SetViewportSizeAsync(1280, 860);

            // Every limit lifted: the queue starts and everything completes.
            await panel.GetByLabel("Download limit").FillAsync("0");
            await panel.GetByLabel("Active downloads").FillAsync("0");
            await panel.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
            await Expect(ui.Message).ToHaveTextAsync("Saved. Download unlimited · upload unlimited · downloads all at once.");
            await ui.DownloadRow("queue-first.bin").GetByRole(AriaRole.Button, new() { Name = "Limits…" }).ClickAsync();
            await dialog.GetByLabel("Download limit").FillAsync("0");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            foreach (var name in new[] { "queue-first.bin", "queue-second.bin", "queue-third.bin" })
                await Expect(ui.DownloadRow(name).Locator(".state")).ToHaveTextAsync("done · 100%", new() { Timeout = 60_000 });
        }
        finally
        {
            using var restore = await leecherApi.PutAsJsonAsync("api/settings", before);
            restore.EnsureSuccessStatusCode();
        }
    }
}
