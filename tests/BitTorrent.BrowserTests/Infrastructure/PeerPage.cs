using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BitTorrent.BrowserTests.Infrastructure;

/// <summary>A peer's web UI in a browser tab, found the way a user finds things: tabs, names, buttons, sentences.</summary>
public sealed class PeerPage(IPage page, long peerId)
{
    static PeerPage() => SetDefaultExpectTimeout(15_000);

    public IPage Page { get; } = page;
    public long PeerId { get; } = peerId;

    /// <summary>
    /// Opens peer <paramref name="peerId"/>'s UI through the gateway with its login link, as a user does with the
    /// link <c>make run</c> prints, and waits until it knows who it is; the key is gone from the address bar.
    /// </summary>
    public static async Task<PeerPage> OpenAsync(BrowserSystem system, IBrowserContext context, long peerId, IPage? page = null)
    {
        page ??= await context.NewPageAsync();
        var response = await page.GotoAsync(system.PeerLoginUrl(peerId));
        Assert.True(response is { Ok: true }, $"the peer UI did not load through the gateway: {response?.Status}");
        Assert.Equal(system.PeerUiUrl(peerId), page.Url);
        var ui = new PeerPage(page, peerId);
        await Expect(ui.Who).ToContainTextAsync($"peer {peerId}");
        return ui;
    }

    public ILocator Who => Page.Locator("#who");
    public ILocator Message => Page.Locator("#message");
    public ILocator TrackerCurrent => Page.Locator("#tracker-current");
    public ILocator TrackerHow => Page.Locator("#tracker-how");

    /// <summary>A tab by its name; the Downloads tab's name carries the count of active downloads when there are any ("Downloads 1").</summary>
    public ILocator Tab(string name) => Page.GetByRole(AriaRole.Tab, new()
    {
        NameRegex = new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(name)}( \\d+)?$"),
    });

    public async Task ShowAsync(string tab)
    {
        await Tab(tab).ClickAsync();
        await Expect(Tab(tab)).ToHaveAttributeAsync("aria-selected", "true");
    }

    public ILocator FileRow(string name) => Page.Locator("#files li.item").Filter(new() { Has = Page.Locator(".name", new() { HasTextString = name }) });
    public ILocator DownloadRow(string name) => Page.Locator("#downloads li.item").Filter(new() { Has = Page.Locator(".name", new() { HasTextString = name }) });
    public ILocator MineRow(string name) => Page.Locator("#mine li.item").Filter(new() { Has = Page.Locator(".name", new() { HasTextString = name }) });

    /// <summary>Types into the Files search box and waits until the file is listed and offered for download.</summary>
    public async Task<ILocator> FindAvailableAsync(string name)
    {
        await ShowAsync("Files");
        await Page.GetByPlaceholder("Search available files").FillAsync(name);
        var row = FileRow(name);
        // The seeder joins the swarm right after publishing; the list refreshes every few seconds.
        await Expect(row.Locator(".state")).ToHaveTextAsync("available", new() { Timeout = 20_000 });
        return row;
    }

    /// <summary>The percentage a download row's progress bar shows.</summary>
    public static async Task<int> PercentAsync(ILocator row) =>
        await row.Locator("progress").EvaluateAsync<int>("p => p.value");

    public static Task<bool> HasHorizontalScrollAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
}
