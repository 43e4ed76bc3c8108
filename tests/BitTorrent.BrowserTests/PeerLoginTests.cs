using BitTorrent.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BitTorrent.BrowserTests;

/// <summary>Logging into a peer's UI as its owner: the login link, the key typed in, a wrong key, another peer's session.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PeerLoginTests(BrowserSystem system)
{
    [Fact]
    public async Task Without_a_session_the_page_asks_for_the_key_a_wrong_one_is_refused_and_the_right_one_logs_in_for_this_peer_only()
    {
        await using var context = await system.NewContextAsync();
        var page = await context.NewPageAsync();

        // No session: the page asks for the key and says where it is; nothing of the peer is shown.
        await page.GotoAsync(system.PeerUiUrl(system.Peer2Id));
        var login = page.Locator("#login");
        await Expect(login).ToBeVisibleAsync();
        await Expect(login).ToContainTextAsync("api-key");
        await Expect(page.Locator("main")).ToBeHiddenAsync();
        await Expect(page.Locator("#login-wrong")).ToBeHiddenAsync();
        await page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-login.png") });

        // A wrong key: still the login screen, saying the key was not this peer's; no key left in the address bar.
        await page.Locator("#login-key").FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.Locator("#login-wrong")).ToBeVisibleAsync();
        Assert.DoesNotContain("key=", page.Url, StringComparison.Ordinal);

        // Peer 1's key does not open peer 2.
        await page.Locator("#login-key").FillAsync(system.Peer1.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.Locator("#login-wrong")).ToBeVisibleAsync();
        await Expect(page.Locator("#login-key")).ToHaveValueAsync(""); // a new page: the refusal came from the peer
        await Expect(page.Locator("main")).ToBeHiddenAsync();

        // The right key logs in: the peer's page, and the address bar without the key.
        await page.Locator("#login-key").FillAsync(system.Peer2.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync($"peer {system.Peer2Id}");
        await Expect(login).ToBeHiddenAsync();
        Assert.Equal(system.PeerUiUrl(system.Peer2Id), page.Url);

        // The session is peer 2's only: peer 1 (same origin through the gateway) still asks for its key, and
        // logging into peer 1 keeps peer 2's session.
        var other = await context.NewPageAsync();
        await other.GotoAsync(system.PeerUiUrl(system.Peer1Id));
        await Expect(other.Locator("#login")).ToBeVisibleAsync();
        await PeerPage.OpenAsync(system, context, system.Peer1Id, other);
        await page.ReloadAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync($"peer {system.Peer2Id}");
    }
}
