using BitTorrent.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BitTorrent.BrowserTests;

/// <summary>The gateway's own pages: the landing page and Swagger UI.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GatewayUiTests(BrowserSystem system)
{
    [Fact]
    public async Task The_landing_page_lists_the_catalog_the_peers_and_the_ring()
    {
        const string name = "browser-landing.txt";
        var path = Path.Combine(system.Folder.Path, name);
        await File.WriteAllTextAsync(path, "On the landing page.");
        await system.PublishViaApiAsync(system.Peer1, path);
        await using var context = await system.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(system.GatewayUrl + "/");

        var file = page.Locator("#files tbody tr").Filter(new() { HasTextString = name });
        await Expect(file.Locator("td").Nth(1)).ToHaveTextAsync("20 B");
        await Expect(file.GetByRole(AriaRole.Link, new() { Name = ".torrent" })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^api/tracker/files/[0-9a-f]{40}/torrent$"));
        foreach (var id in new[] { system.Peer1Id, system.Peer2Id })
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = $"Peer {id}", Exact = true })).ToHaveAttributeAsync("href", $"peers/{id}/");
        await Expect(page.Locator("#ring li")).ToHaveCountAsync(3);
        foreach (var node in system.Ring.Live)
            await Expect(page.Locator("#ring")).ToContainTextAsync(node.Url);
        await Expect(page.Locator("#error")).ToBeHiddenAsync();
        await page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("gateway-landing.png"), FullPage = true });

        // On a phone-sized screen the page does not scroll sideways, long names and all.
        await page.SetViewportSizeAsync(375, 700);
        await page.Locator("#ring li").First.ScrollIntoViewIfNeededAsync();
        Assert.False(await PeerPage.HasHorizontalScrollAsync(page), "the landing page scrolls sideways at 375 px");
        await page.SetViewportSizeAsync(1280, 860);

        // A peer's link opens its UI through the gateway (for its owner, logged in with its login link).
        await system.LogInAsync(context, system.Peer2Id);
        await page.GetByRole(AriaRole.Link, new() { Name = $"Peer {system.Peer2Id}", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{system.GatewayUrl}/peers/{system.Peer2Id}/");
        await Expect(page.Locator("#who")).ToContainTextAsync($"peer {system.Peer2Id}");
    }

    [Fact]
    public async Task Swagger_UI_loads_and_offers_the_three_API_documents()
    {
        await using var context = await system.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(system.GatewayUrl + "/swagger");

        var documents = page.Locator(".topbar select");
        await Expect(documents.Locator("option")).ToHaveTextAsync(["Tracker (chord node)", "Peer", "Gateway"]);
        // The first document (the tracker's, served by the ring through the gateway) renders its operations.
        await Expect(page.Locator(".opblock-summary-path", new() { HasTextString = "/api/tracker/files" }).First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("swagger.png") });

        // The peer's document comes from a live peer, through the gateway.
        await documents.SelectOptionAsync(new SelectOptionValue { Label = "Peer" });
        await Expect(page.Locator(".opblock-summary-path", new() { HasTextString = "/api/downloads" }).First).ToBeVisibleAsync();
        await documents.SelectOptionAsync(new SelectOptionValue { Label = "Gateway" });
        await Expect(page.Locator(".opblock-summary-path", new() { HasTextString = "/api/downloads" })).ToHaveCountAsync(0);
        await Expect(page.Locator(".opblock-summary-path", new() { HasTextString = "/readyz" }).First).ToBeVisibleAsync();
        await Expect(page.Locator(".errors-wrapper")).ToHaveCountAsync(0);
    }
}
