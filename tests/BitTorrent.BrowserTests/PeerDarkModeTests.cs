using System.Globalization;
using BitTorrent.BrowserTests.Infrastructure;
using BitTorrent.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BitTorrent.BrowserTests;

/// <summary>
/// The peer's UI in dark mode (through the gateway): it follows the system, the header's toggle overrides it and is
/// remembered, and every view reads in it: no light box left on the dark page, text with AA contrast, nothing
/// wider than a 375 px screen.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PeerDarkModeTests(BrowserSystem system)
{
    /// <summary>
    /// Every visible element of the page that paints a light box (lightness over 0.75) or holds text whose contrast with
    /// the background behind it is under 4.5:1 (WCAG AA for body text), described as "tag#id.class 'text': why".
    /// Progress bars must paint their own track (the browser's is light). Disabled controls are left out (WCAG exempts
    /// them); canvases and players draw their own pixels.
    /// </summary>
    private const string Unreadable =
        """
        () => {
          const parse = (c) => { const m = c.match(/[\d.]+/g); if (!m) return null; const [r, g, b, a] = m.map(Number); return { r, g, b, a: a === undefined ? 1 : a }; };
          const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
          const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
          const lightness = (c) => (Math.max(c.r, c.g, c.b) + Math.min(c.r, c.g, c.b)) / 510;
          const behind = (e) => {
            for (let n = e; n; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor); if (c && c.a > 0.5) return c; }
            return parse(getComputedStyle(document.documentElement).backgroundColor);
          };
          const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
          const name = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.classList.length ? '.' + [...e.classList].join('.') : ''} '${(e.textContent || '').trim().slice(0, 40)}'`;
          const found = [];
          for (const e of document.body.querySelectorAll('*')) {
            if (!visible(e) || e.closest('canvas, video, audio, select, script, style')) continue;
            const own = parse(getComputedStyle(e).backgroundColor);
            if (own && own.a > 0.5 && lightness(own) > 0.75) found.push(`${name(e)}: a light box (${getComputedStyle(e).backgroundColor})`);
            if (e.tagName === 'PROGRESS' && !(own && own.a > 0.5)) found.push(`${name(e)}: the browser's own (light) progress track`);
            const text = [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
            if (!text || e.closest(':disabled, [disabled]')) continue;
            const fg = parse(getComputedStyle(e).color), bg = behind(e);
            const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
            const ratio = (hi + 0.05) / (lo + 0.05);
            if (ratio < 4.5) found.push(`${name(e)}: contrast ${ratio.toFixed(2)} (${getComputedStyle(e).color} on rgb(${bg.r}, ${bg.g}, ${bg.b}))`);
          }
          return found;
        }
        """;

    private static Task<IBrowserContext> DarkContextAsync(BrowserSystem system, int width = 1280, int height = 860) =>
        system.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            ColorScheme = ColorScheme.Dark,
        });

    [Fact]
    public async Task Dark_mode_follows_the_system_and_the_toggle_is_remembered()
    {
        await using var context = await DarkContextAsync(system);
        var ui = await PeerPage.OpenAsync(system, context, system.Peer1Id);
        var toggle = ui.Page.GetByRole(AriaRole.Button, new() { Name = "Light mode" });

        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.True(await BackgroundLightnessAsync(ui.Page) < 0.3, "a system in dark mode gets a dark page");

        await toggle.ClickAsync();
        var back = ui.Page.Locator("#theme");
        await Expect(back).ToHaveTextAsync("Dark mode");
        await Expect(back).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.True(await BackgroundLightnessAsync(ui.Page) > 0.7, "the toggle turns the page light");
        await ui.Page.ReloadAsync();
        await Expect(ui.Who).ToContainTextAsync($"peer {system.Peer1Id}");
        await Expect(back).ToHaveTextAsync("Dark mode");
        Assert.True(await BackgroundLightnessAsync(ui.Page) > 0.7, "the choice is remembered after a reload");
        await back.ClickAsync();
        await Expect(back).ToHaveTextAsync("Light mode");
        Assert.True(await BackgroundLightnessAsync(ui.Page) < 0.3, "the toggle turns the page dark again");
    }

    [Fact]
    public async Task In_dark_mode_every_view_reads_with_no_light_box_left_and_fits_375_px()
    {
        const string name = "dark-mode-download.bin";
        // A seeder at 1 MiB/s: the download is still running while its details are looked at.
        await using var seeder = await PeerProcess.StartAsync(system.Ring, system.Folder.Sub("dark-seeder"),
            new Dictionary<string, string> { ["Transfer__UploadRateLimit"] = (1024 * 1024).ToString(CultureInfo.InvariantCulture) });
        var infoHash = await system.PublishViaApiAsync(seeder, system.Folder.RandomFile(name, 24L * 1024 * 1024, seed: 91));
        // One of peer 2's own files, for My files and its Remove dialog.
        const string mine = "dark-mode-mine.txt";
        await system.PublishViaApiAsync(system.Peer2, system.Folder.RandomFile(mine, 4096, seed: 92));
        await using var context = await DarkContextAsync(system);
        try
        {
            var ui = await PeerPage.OpenAsync(system, context, system.Peer2Id);
            var page = ui.Page;
            await AssertReadableAsync(page, "the tracker bar and the header");

            var row = await ui.FindAvailableAsync(name);
            await AssertReadableAsync(page, "Files");
            await row.GetByRole(AriaRole.Button, new() { Name = "Download file" }).ClickAsync();
            var download = ui.DownloadRow(name);
            await Expect(download.Locator(".state")).ToContainTextAsync("downloading", new() { Timeout = 20_000 });
            await page.Locator("#limits-panel summary").ClickAsync();
            await Expect(page.Locator("#limits-form")).ToBeVisibleAsync();
            await download.GetByRole(AriaRole.Button, new() { Name = "Files", Exact = true }).ClickAsync();
            await Expect(download.Locator(".files-panel .tree li").First).ToBeVisibleAsync();
            await AssertReadableAsync(page, "Downloads with the limits panel and a download's files");
            await page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-dark.png"), Animations = ScreenshotAnimations.Disabled });
            await page.Locator("#limits-panel summary").ClickAsync(); // folded again: the details' screenshot shows the header too

            await download.GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();
            var details = page.Locator("#download-details");
            await Expect(details.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
            await Expect(details.Locator("#details-peers tbody tr").First).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Expect(details.Locator(".legend")).ToContainTextAsync(":", new() { Timeout = 20_000 }); // a source of verified pieces
            await AssertReadableAsync(page, "a download's details");
            // The piece map is drawn in the dark palette: its missing pieces in the dark grey, none in the light mode's light grey.
            var colours = await details.Locator("#piece-map").EvaluateAsync<string[]>(
                """
                canvas => {
                  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                  const seen = new Set();
                  for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
                  return [...seen];
                }
                """);
            Assert.Contains("58,68,83", colours);
            Assert.DoesNotContain("213,219,227", colours);
            Assert.True((await system.Peer2.DownloadAsync(infoHash)).Progress < 1, "the download finished before its details were looked at");
            await page.EvaluateAsync("() => window.scrollTo(0, 0)");
            await page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-dark-details.png"), Animations = ScreenshotAnimations.Disabled });

            await download.GetByRole(AriaRole.Button, new() { Name = "Limits…" }).ClickAsync();
            var limits = page.Locator("#download-limits");
            await Expect(limits).ToBeVisibleAsync();
            await AssertReadableAsync(page, "a download's Limits dialog");
            await limits.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
            await Expect(limits).ToBeHiddenAsync();

            // At 375 px the dark details view does not scroll sideways.
            await page.SetViewportSizeAsync(375, 800);
            await Expect(details.Locator("#details-peers tbody tr").First).ToBeVisibleAsync();
            Assert.False(await PeerPage.HasHorizontalScrollAsync(page), "the dark download details scroll sideways at 375 px");
            await AssertReadableAsync(page, "a download's details at 375 px");

            await ui.ShowAsync("My files");
            var held = ui.MineRow(mine);
            await Expect(held).ToBeVisibleAsync();
            Assert.False(await PeerPage.HasHorizontalScrollAsync(page), "My files scrolls sideways at 375 px in dark mode");
            await AssertReadableAsync(page, "My files");
            await held.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
            var remove = page.GetByRole(AriaRole.Dialog, new() { Name = $"Remove {mine}" });
            await Expect(remove).ToBeVisibleAsync();
            await AssertReadableAsync(page, "the Remove dialog");
            await remove.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
            await Expect(remove).ToBeHiddenAsync();

            await ui.ShowAsync("Publish");
            Assert.False(await PeerPage.HasHorizontalScrollAsync(page), "Publish scrolls sideways at 375 px in dark mode");
            await AssertReadableAsync(page, "Publish");

            await ui.ShowAsync("Volunteer");
            await Expect(page.Locator("#volunteer-summary")).Not.ToBeEmptyAsync();
            Assert.False(await PeerPage.HasHorizontalScrollAsync(page), "Volunteer scrolls sideways at 375 px in dark mode");
            await AssertReadableAsync(page, "Volunteer");

            // Messages, an error and a confirmation, as the page says them.
            await page.EvaluateAsync("() => say('That did not work: the tracker did not answer.')");
            await Expect(ui.Message).ToBeVisibleAsync();
            await AssertReadableAsync(page, "an error message");
            await page.EvaluateAsync("() => say('Saved.', true)");
            await AssertReadableAsync(page, "a confirmation");

            await ui.ShowAsync("Files");
            Assert.False(await PeerPage.HasHorizontalScrollAsync(page), "Files scrolls sideways at 375 px in dark mode");
            await AssertReadableAsync(page, "Files at 375 px");
        }
        finally
        {
            // Its seeder stops with the test: a download left waiting would hold one of peer 2's active slots for later tests.
            using var cancelled = await system.Peer2.Http.PostAsync($"api/downloads/{infoHash}/cancel", null);
        }
    }

    private static async Task AssertReadableAsync(IPage page, string view)
    {
        Assert.True(await BackgroundLightnessAsync(page) < 0.3, $"{view}: the page is not dark");
        var unreadable = await page.EvaluateAsync<string[]>(Unreadable);
        Assert.True(unreadable.Length == 0, $"{view} in dark mode: {string.Join("; ", unreadable)}");
    }

    /// <summary>The page background's lightness, 0 (black) to 1 (white).</summary>
    private static async Task<double> BackgroundLightnessAsync(IPage page)
    {
        var rgb = await page.EvaluateAsync<int[]>("() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)");
        return (rgb.Max() + rgb.Min()) / 510.0;
    }
}
