using System.Text.RegularExpressions;
using BitTorrent.BrowserTests.Infrastructure;
using BitTorrent.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BitTorrent.BrowserTests;

/// <summary>Folders in the peer's UI and the gateway's page, driven in Chromium through the gateway.</summary>
[Collection(BrowserCollection.Name)]
public sealed class FolderUiTests(BrowserSystem system)
{
    [Fact]
    public async Task A_picked_folder_is_published_its_tree_lets_a_file_be_unselected_its_magnet_is_copied_and_it_is_removed_with_a_choice()
    {
        const string album = "browser-album";
        var folder = Path.Combine(system.Folder.Path, "picked", album);
        Directory.CreateDirectory(Path.Combine(folder, "disc 1"));
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "Liner notes.");
        // Two large files: at the seeder's 8 MiB/s the download runs for about six seconds, time to pause it.
        var kept = system.Folder.RandomFile("album-big-1.bin", 24L * 1024 * 1024, seed: 81);
        var unselected = system.Folder.RandomFile("album-big-2.bin", 24L * 1024 * 1024, seed: 82);
        File.Copy(kept, Path.Combine(folder, "disc 1", "big-1.bin"));
        File.Copy(unselected, Path.Combine(folder, "disc 1", "big-2.bin"));
        await using var context = await system.NewContextAsync();
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);

        // Peer 1 publishes the folder with the folder picker (the browser sends each file's relative path).
        var seeder = await PeerPage.OpenAsync(system, context, system.Peer1Id);
        await seeder.ShowAsync("Publish");
        await seeder.Page.Locator("#publish-folder").SetInputFilesAsync(folder);
        await Expect(seeder.Message).ToHaveTextAsync($"{album} is published and shared.", new() { Timeout = 60_000 });
        var mine = seeder.MineRow(album);
        await Expect(mine.Locator(".state")).ToHaveTextAsync("published");

        // Its magnet link is shown and copied.
        var magnet = await mine.GetByRole(AriaRole.Textbox, new() { Name = $"magnet link of {album}" }).InputValueAsync();
        Assert.Matches(new Regex($"^magnet:\\?xt=urn:btih:[0-9a-f]{{40}}&dn={album}&tr=http"), magnet);
        await mine.GetByRole(AriaRole.Button, new() { Name = "Copy magnet link" }).ClickAsync();
        await Expect(seeder.Message).ToHaveTextAsync($"The magnet link of {album} is copied.");
        Assert.Equal(magnet, await seeder.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Expect(mine.GetByRole(AriaRole.Button, new() { Name = "Unpublish" })).ToBeVisibleAsync();
        await seeder.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-folder-published.png") });

        // Peer 2 downloads it, pauses, opens the file tree and unselects one of the large files.
        var leecher = await PeerPage.OpenAsync(system, context, system.Peer2Id);
        var row = await leecher.FindAvailableAsync(album);
        await row.GetByRole(AriaRole.Button, new() { Name = "Download file" }).ClickAsync();
        var download = leecher.DownloadRow(album);
        await download.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(download.Locator(".state")).ToHaveTextAsync(new Regex("^paused · [0-9]{1,2}%$"));
        await download.GetByRole(AriaRole.Button, new() { Name = "Files" }).ClickAsync();
        var tree = download.Locator(".files-panel");
        await Expect(tree.Locator("li.folder").Filter(new() { HasTextString = "disc 1/" }).Locator(".meta").First).ToHaveTextAsync("48.0 MiB");
        await Expect(tree.Locator("li.file")).ToHaveCountAsync(3);
        var box = tree.GetByRole(AriaRole.Checkbox, new() { Name = "fetch disc 1/big-2.bin" });
        await Expect(box).ToBeCheckedAsync();
        await box.ClickAsync();
        await Expect(leecher.Message).ToHaveTextAsync("2 files chosen.");
        await Expect(box).Not.ToBeCheckedAsync();
        await leecher.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-file-tree.png") });

        await download.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(download.Locator(".state")).ToHaveTextAsync("done · 100%", new() { Timeout = 60_000 });
        await Expect(download.Locator(".meta").First).ToContainTextAsync("some files chosen");
        await Expect(tree.Locator("li.file[data-path='disc 1/big-1.bin'] .meta")).ToHaveTextAsync("24.0 MiB · 100%");
        var left = await tree.Locator("li.file[data-path='disc 1/big-2.bin'] progress").EvaluateAsync<int>("p => p.value");
        Assert.InRange(left, 0, 99); // not fetched whole
        Assert.Equal(TempFolder.Sha256(kept), TempFolder.Sha256(Path.Combine(system.Peer2.Storage, "files", await InfoHashAsync(download), album, "disc 1", "big-1.bin")));

        // Remove asks whether to keep or delete the data.
        await download.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        var dialog = leecher.Page.GetByRole(AriaRole.Dialog, new() { Name = $"Remove {album}" });
        await Expect(dialog.GetByRole(AriaRole.Radio, new() { Name = "Keep the data on disk" })).ToBeCheckedAsync();
        await dialog.GetByRole(AriaRole.Radio, new() { Name = "Delete the data" }).CheckAsync();
        await leecher.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-remove-dialog.png") });
        var infoHash = await InfoHashAsync(download);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(leecher.Message).ToHaveTextAsync($"{album} is removed and its data deleted.");
        await Expect(download).ToHaveCountAsync(0);
        Assert.False(Directory.Exists(Path.Combine(system.Peer2.Storage, "files", infoHash)), "the data was deleted as chosen");

        // The gateway's page shows the folder's magnet link and copies it.
        var page = await context.NewPageAsync();
        await page.GotoAsync(system.GatewayUrl + "/");
        await page.Locator("#search").FillAsync(album);
        var listed = page.Locator("#files tbody tr").Filter(new() { HasTextString = album });
        await Expect(listed.GetByRole(AriaRole.Link, new() { Name = "magnet" })).ToHaveAttributeAsync("href", new Regex($"^magnet:\\?xt=urn:btih:{infoHash}&dn={album}&tr=http"));
        await listed.GetByRole(AriaRole.Button, new() { Name = $"copy the magnet link of {album}" }).ClickAsync();
        await Expect(page.Locator("#copied")).ToHaveTextAsync($"The magnet link of {album} is copied.");
        await page.Locator("#files-section").ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("gateway-magnet.png") });
        Assert.StartsWith($"magnet:?xt=urn:btih:{infoHash}", await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"), StringComparison.Ordinal);
    }

    private static Task<string> InfoHashAsync(ILocator row) => row.GetAttributeAsync("data-infohash")!;
}
