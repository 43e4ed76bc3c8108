using System.Text;
using System.Text.RegularExpressions;
using BitTorrent.BrowserTests.Infrastructure;
using BitTorrent.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BitTorrent.BrowserTests;

/// <summary>The peer's web UI, driven in Chromium through the gateway (/peers/{id}/), as a user would.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PeerUiTests(BrowserSystem system)
{
    [Fact]
    public async Task Publish_in_one_peer_then_find_download_and_open_it_in_another()
    {
        const string name = "browser-hello.txt";
        const string text = "Hello from peer one, through the gateway and the ring.";
        const string dropped = "browser-dropped.txt";
        await using var context = await system.NewContextAsync();

        // Peer 1 publishes with the file picker...
        var seeder = await PeerPage.OpenAsync(system, context, system.Peer1Id);
        await seeder.ShowAsync("Publish");
        await Expect(seeder.Page.GetByText("Drop a file here")).ToBeVisibleAsync();
        await seeder.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-publish.png") });
        await seeder.Page.Locator("#publish-file").SetInputFilesAsync(new FilePayload
        {
            Name = name,
            MimeType = "text/plain",
            Buffer = Encoding.UTF8.GetBytes(text),
        });
        await Expect(seeder.Message).ToHaveTextAsync($"{name} is published and shared.");
        await Expect(seeder.Tab("My files")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(seeder.MineRow(name).Locator(".state")).ToHaveTextAsync("published");

        // ...and by dropping a file on the drop zone.
        await seeder.ShowAsync("Publish");
        await seeder.Page.Locator("#drop").EvaluateAsync(
            """
            (zone, name) => {
              const data = new DataTransfer();
              data.items.add(new File(['Dropped, not picked.'], name, { type: 'text/plain' }));
              zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
              zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
            }
            """, dropped);
        await Expect(seeder.Message).ToHaveTextAsync($"{dropped} is published and shared.");
        await Expect(seeder.MineRow(dropped).Locator(".state")).ToHaveTextAsync("published");
        await Expect(seeder.MineRow(name)).ToBeVisibleAsync();

        // Peer 2 finds it by searching, downloads it and watches it complete.
        var leecher = await PeerPage.OpenAsync(system, context, system.Peer2Id);
        var row = await leecher.FindAvailableAsync(name);
        await Expect(leecher.Page.Locator("#files li.item")).ToHaveCountAsync(1); // the search filters: the dropped file is not listed
        await Expect(row.Locator(".meta")).ToContainTextAsync("1 seeder");
        await leecher.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-catalog.png") });
        await row.GetByRole(AriaRole.Button, new() { Name = "Download file" }).ClickAsync();

        await Expect(leecher.Tab("Downloads")).ToHaveAttributeAsync("aria-selected", "true");
        // A small file may be done before the page shows the start: the live event then says so instead.
        await Expect(leecher.Message).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(
            $"^(Downloading {System.Text.RegularExpressions.Regex.Escape(name)}\\.|{System.Text.RegularExpressions.Regex.Escape(name)} is downloaded\\.)$"));
        var download = leecher.DownloadRow(name);
        await Expect(download.Locator(".state")).ToHaveTextAsync("done · 100%", new() { Timeout = 30_000 });
        Assert.Equal(100, await PeerPage.PercentAsync(download));
        await leecher.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-downloads.png") });

        // "Open" shows the file's own text in a new tab.
        var opened = await context.RunAndWaitForPageAsync(() => download.GetByRole(AriaRole.Link, new() { Name = "Open" }).ClickAsync());
        await opened.WaitForLoadStateAsync();
        Assert.Contains($"/peers/{system.Peer2Id}/api/files/", opened.Url, StringComparison.Ordinal);
        Assert.Equal(text, (await opened.Locator("body").InnerTextAsync()).Trim());

        // It is now one of peer 2's files, and the catalog says so.
        await leecher.ShowAsync("My files");
        await Expect(leecher.MineRow(name).Locator(".state")).ToHaveTextAsync("downloaded");
        await leecher.ShowAsync("Files");
        await Expect(leecher.FileRow(name).Locator(".state")).ToHaveTextAsync("in my files");
        await Expect(leecher.FileRow(name).GetByRole(AriaRole.Button, new() { Name = "Download file" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_large_download_pauses_stands_still_and_resumes_to_the_end()
    {
        const string name = "browser-large.bin";
        var path = system.Folder.RandomFile(name, 60L * 1024 * 1024, seed: 60);
        var infoHash = await system.PublishViaApiAsync(system.Peer1, path); // the seeder uploads at 8 MiB/s: about 7 s
        await using var context = await system.NewContextAsync();
        var leecher = await PeerPage.OpenAsync(system, context, system.Peer2Id);

        var row = await leecher.FindAvailableAsync(name);
        await Expect(row.Locator(".meta")).ToContainTextAsync("60.0 MiB");
        await row.GetByRole(AriaRole.Button, new() { Name = "Download file" }).ClickAsync();
        var download = leecher.DownloadRow(name);
        await Expect(download.Locator(".state")).ToHaveTextAsync(new Regex("^downloading · [1-9][0-9]?%$"));

        await download.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(download.Locator(".state")).ToHaveTextAsync(new Regex("^paused · [0-9]{1,2}%$"));
        await Expect(download.GetByRole(AriaRole.Button, new() { Name = "Resume" })).ToBeVisibleAsync();
        await Expect(download.GetByRole(AriaRole.Button, new() { Name = "Pause" })).ToHaveCountAsync(0);
        await leecher.Page.WaitForTimeoutAsync(500); // blocks already on the wire may still land
        var pausedAt = await download.Locator(".meta").InnerTextAsync();
        var percent = await PeerPage.PercentAsync(download);
        await leecher.Page.WaitForTimeoutAsync(2_000); // the list refreshes every second: two refreshes
        Assert.Equal(pausedAt, await download.Locator(".meta").InnerTextAsync());
        Assert.Equal(percent, await PeerPage.PercentAsync(download));
        Assert.InRange(percent, 1, 99);

        await download.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(download.Locator(".state")).Not.ToHaveTextAsync(new Regex("^paused"));
        await Expect(download.Locator(".state")).ToHaveTextAsync("done · 100%", new() { Timeout = 45_000 });
        await Expect(download.GetByRole(AriaRole.Link, new() { Name = "Open" })).ToBeVisibleAsync();
        Assert.Equal(TempFolder.Sha256(path), await system.Peer2.ContentSha256Async(infoHash));
    }

    [Fact]
    public async Task Refusals_read_as_sentences_not_status_codes()
    {
        const string name = "browser-twice.txt";
        var path = Path.Combine(system.Folder.Path, name);
        await File.WriteAllTextAsync(path, "Downloaded once is enough.");
        await system.PublishViaApiAsync(system.Peer1, path);
        await using var context = await system.NewContextAsync();
        var leecher = await PeerPage.OpenAsync(system, context, system.Peer2Id);
        await leecher.FindAvailableAsync(name);

        // A second window left open: its timers are frozen, so it keeps showing "Download file" after the download. It
        // has a context of its own because Playwright's clock is the whole context's: in the same context the leecher's
        // page would be frozen too, and would never show the end of a download that outlasts its first refresh.
        await using var staleContext = await system.NewContextAsync();
        await staleContext.Clock.InstallAsync();
        await staleContext.Clock.PauseAtAsync(DateTime.Now.AddSeconds(1));
        var stale = await PeerPage.OpenAsync(system, staleContext, system.Peer2Id);
        var staleButton = stale.FileRow(name).GetByRole(AriaRole.Button, new() { Name = "Download file" });
        await Expect(staleButton).ToBeVisibleAsync();

        await leecher.FileRow(name).GetByRole(AriaRole.Button, new() { Name = "Download file" }).ClickAsync();
        await Expect(leecher.DownloadRow(name).Locator(".state")).ToHaveTextAsync("done · 100%", new() { Timeout = 30_000 });

        await staleButton.ClickAsync();
        await Expect(stale.Message).ToHaveTextAsync($"You already have {name}: it is in your files.");
        await Expect(stale.Message).Not.ToHaveClassAsync(new Regex(@"\bok\b"));

        // A file in the catalog that nobody seeds (its publisher left for good) is labelled, and its download waits for a peer.
        const string orphan = "browser-orphan.txt";
        await system.PublishOrphanTorrentAsync(orphan);
        await leecher.ShowAsync("Files");
        await leecher.Page.GetByPlaceholder("Search available files").FillAsync(orphan);
        var row = leecher.FileRow(orphan);
        await Expect(row.Locator(".state")).ToHaveTextAsync("no seeder online");
        await Expect(row.Locator(".meta")).ToContainTextAsync("0 seeders");
        await row.GetByRole(AriaRole.Button, new() { Name = "Download file" }).ClickAsync();
        await Expect(leecher.Message).ToHaveTextAsync($"{orphan} is waiting for a peer that has it: it starts when one is online.");
        await Expect(leecher.DownloadRow(orphan).Locator(".state")).ToContainTextAsync("waiting for a peer that has the file");
        var message = await leecher.Message.InnerTextAsync();
        Assert.DoesNotMatch(new Regex(@"\b(409|404|400|Conflict)\b"), message);
        await leecher.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-waiting-for-a-peer.png") });
        // It would wait for ever: cancelled, so the other scenarios on these peers see no running download.
        await leecher.DownloadRow(orphan).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(leecher.DownloadRow(orphan).Locator(".state")).ToContainTextAsync("cancelled");
    }

    [Fact]
    public async Task On_a_phone_sized_screen_nothing_scrolls_sideways()
    {
        // A long name without spaces is the usual way a list overflows a narrow screen.
        const string name = "a-rather-long-file-name-without-any-spaces-for-a-phone-screen-browser-narrow.txt";
        var path = Path.Combine(system.Folder.Path, name);
        await File.WriteAllTextAsync(path, "narrow");
        await system.PublishViaApiAsync(system.Peer1, path);
        await using var context = await system.NewContextAsync(375, 700);
        var ui = await PeerPage.OpenAsync(system, context, system.Peer2Id);
        await ui.FindAvailableAsync(name);
        await ui.Page.GetByPlaceholder("Search available files").FillAsync("");
        await Expect(ui.Page.Locator("#files li.item").First).ToBeVisibleAsync();

        foreach (var tab in new[] { "Files", "Downloads", "My files", "Publish", "Volunteer" })
        {
            await ui.ShowAsync(tab);
            await ui.Page.WaitForTimeoutAsync(300); // the tab's list is fetched on showing it
            Assert.False(await PeerPage.HasHorizontalScrollAsync(ui.Page), $"the {tab} tab scrolls sideways at 375 px");
            await Expect(ui.Tab(tab)).ToBeInViewportAsync();
        }
        await ui.ShowAsync("Files");
        await Expect(ui.FileRow(name).GetByRole(AriaRole.Button, new() { Name = "Download file" })).ToBeInViewportAsync();
        await Expect(ui.Page.GetByRole(AriaRole.Button, new() { Name = "Use this node" })).ToBeInViewportAsync();
        Assert.False(await PeerPage.HasHorizontalScrollAsync(ui.Page));
        await ui.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-narrow.png"), FullPage = true });
    }

    [Fact]
    public async Task The_tracker_banner_shows_the_node_in_use_one_given_by_hand_and_a_bad_address_in_words()
    {
        await using var context = await system.NewContextAsync();
        var ui = await PeerPage.OpenAsync(system, context, system.Peer1Id);
        var ring = system.Ring.Nodes.Select(n => n.Url).ToList();
        await Expect(ui.TrackerCurrent).ToHaveTextAsync(new Regex("^(" + string.Join("|", ring.Select(Regex.Escape)) + ")$"));
        await Expect(ui.TrackerHow).ToHaveTextAsync("(from the configured node list)"); // multicast discovery is off here
        var address = ui.Page.GetByLabel("Chord node address");
        var use = ui.Page.GetByRole(AriaRole.Button, new() { Name = "Use this node" });
        try
        {
            // A node given by hand: the one not in use now.
            var inUse = await ui.TrackerCurrent.InnerTextAsync();
            var chosen = ring.First(url => url != inUse);
            await address.FillAsync(chosen);
            await use.ClickAsync();
            await Expect(ui.Message).ToHaveTextAsync("This peer now uses that chord node first.");
            // At once, not at the banner's next refresh (every 5 s).
            await Expect(ui.TrackerCurrent).ToHaveTextAsync(chosen, new() { Timeout = 3_000 });
            await Expect(ui.TrackerHow).ToHaveTextAsync("(given by hand)", new() { Timeout = 3_000 });
            await Expect(ui.Page.GetByRole(AriaRole.Button, new() { Name = "Search automatically" })).ToBeVisibleAsync();

            // Nobody listens there: refused with a sentence, and the node in use does not change.
            var nowhere = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
            await address.FillAsync(nowhere);
            await use.ClickAsync();
            await Expect(ui.Message).ToContainTextAsync($"No chord node answered at {nowhere}/");
            Assert.DoesNotMatch(new Regex(@"\b(400|Bad Request)\b"), await ui.Message.InnerTextAsync());
            await Expect(ui.TrackerCurrent).ToHaveTextAsync(chosen);

            // Not an address at all: the browser itself says so and nothing is sent.
            await address.FillAsync("chord node five");
            await use.ClickAsync();
            Assert.False(await address.EvaluateAsync<bool>("i => i.validity.valid"));
            Assert.NotEmpty(await address.EvaluateAsync<string>("i => i.validationMessage"));
            await Expect(ui.TrackerCurrent).ToHaveTextAsync(chosen);

            await ui.Page.GetByRole(AriaRole.Button, new() { Name = "Search automatically" }).ClickAsync();
            await Expect(ui.Message).ToHaveTextAsync("Back to finding chord nodes automatically.");
            await Expect(ui.TrackerHow).ToHaveTextAsync("(from the configured node list)");
        }
        finally
        {
            // Leave peer 1 as the other tests expect it, whatever happened above.
            using var automatic = new StringContent("{\"url\":\"\"}", Encoding.UTF8, "application/json");
            using var _ = await system.Peer1.Http.PutAsync("api/me/tracker", automatic);
        }
    }
}
