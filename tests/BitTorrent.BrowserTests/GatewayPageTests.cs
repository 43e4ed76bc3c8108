using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using BitTorrent.BrowserTests.Infrastructure;
using BitTorrent.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BitTorrent.BrowserTests;

/// <summary>The gateway's page as a user sees it: the ring as a circle, the fleet, the paged and sorted catalog, dark mode, a phone.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GatewayPageTests(BrowserSystem system)
{
    static GatewayPageTests() => SetDefaultExpectTimeout(15_000);

    private static ILocator Nodes(IPage page) => page.Locator("#ring-nodes g.node");

    private static ILocator Node(IPage page, string url) => page.Locator($"#ring-nodes g.node[data-url='{url}']");

    /// <summary>
    /// The member a user can always click: the one with the highest id, drawn last, so no neighbour's dot covers
    /// its own (two nodes whose ids are close sit on the same spot of the circle).
    /// </summary>
    private async Task<BitTorrent.ChordNode.Api.MemberView> TopmostMemberAsync() =>
        (await system.Ring.RingAsync(system.Ring.Live.First())).Members.MaxBy(m => m.Id, StringComparer.Ordinal)!;

    [Fact]
    public async Task The_ring_picture_places_each_node_and_a_keys_replicas_shows_a_nodes_details_and_follows_a_node_joining_and_leaving()
    {
        await using var context = await system.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(system.GatewayUrl + "/");

        var live = system.Ring.Live.ToList();
        await Expect(Nodes(page)).ToHaveCountAsync(live.Count);
        foreach (var node in live) await Expect(Node(page, node.Url)).ToBeVisibleAsync();
        await Expect(page.Locator("#ring-arcs path.arc")).ToHaveCountAsync(live.Count);
        // Each node sits on the circle at its id's angle (clockwise from the top).
        var view = await system.Ring.RingAsync(live[0]);
        foreach (var member in view.Members)
        {
            var dot = Node(page, member.Url).Locator("circle.dot");
            var (x, y) = (double.Parse(await dot.GetAttributeAsync("cx") ?? "", CultureInfo.InvariantCulture), double.Parse(await dot.GetAttributeAsync("cy") ?? "", CultureInfo.InvariantCulture));
            var turn = long.Parse(member.Id[..13], NumberStyles.HexNumber, CultureInfo.InvariantCulture) / Math.Pow(2, 52);
            Assert.Equal(100 * Math.Sin(turn * 2 * Math.PI), x, 0.01);
            Assert.Equal(-100 * Math.Cos(turn * 2 * Math.PI), y, 0.01);
        }

        // Where a key lives: its owner and replicas are marked, as the ring itself answers.
        const string key = "name/browser-notes.txt";
        await page.Locator("#placement-key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
        using var placement = JsonDocument.Parse(await system.Ring.Http.GetStringAsync($"{system.GatewayUrl}/api/tracker/ring/placement?key={Uri.EscapeDataString(key)}"));
        var holders = placement.RootElement.GetProperty("keys")[0].GetProperty("holders").EnumerateArray().Select(h => h.GetProperty("url").GetString()!).ToList();
        await Expect(page.Locator("#ring-nodes g.node.owner")).ToHaveAttributeAsync("data-url", holders[0]);
        await Expect(page.Locator("#ring-nodes g.node.replica")).ToHaveCountAsync(holders.Count - 1);
        foreach (var replica in holders.Skip(1)) await Expect(Node(page, replica)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\breplica\b"));
        await Expect(page.Locator("#ring-key path.key-mark")).ToBeVisibleAsync();
        await Expect(page.Locator("#placement-text")).ToContainTextAsync($"owned by :{new Uri(holders[0]).Port}");

        // A click on a node shows what it knows: its address, predecessor, successors, keys and lookups.
        var clicked = await TopmostMemberAsync();
        await Node(page, clicked.Url).Locator("circle.dot").ClickAsync();
        var details = page.Locator("#node-details");
        await Expect(details.Locator("h3")).ToContainTextAsync($"Node {clicked.Id[..8]}");
        await Expect(details).ToContainTextAsync(clicked.Url);
        await Expect(details.Locator("dd").Nth(2)).ToContainTextAsync(clicked.Predecessor!);
        await Expect(details.Locator("dd ol li").First).ToContainTextAsync(clicked.Successors[0]);
        await Expect(details.Locator("dd[data-keys]")).ToContainTextAsync("(its own and replicas)");
        await page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("gateway-ring.png"), Animations = ScreenshotAnimations.Disabled });

        // A node joins: it appears on the circle; it leaves: it is gone again.
        var joining = system.Ring.StartNode();
        try
        {
            await system.Ring.WaitReadyAsync(joining);
            await Expect(Node(page, joining.Url)).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(Nodes(page)).ToHaveCountAsync(live.Count + 1);
            await Expect(page.Locator("#ring-count")).ToHaveTextAsync($"{live.Count + 1} nodes");
            await page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("gateway-ring-joined.png"), Animations = ScreenshotAnimations.Disabled });
        }
        finally
        {
            await ChordRing.StopAsync(joining);
        }
        await Expect(Node(page, joining.Url)).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Expect(Nodes(page)).ToHaveCountAsync(live.Count);
        await system.Ring.WaitConvergedAsync();
        await Expect(page.Locator("#error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task The_fleet_lists_every_peer_as_healthy_with_its_report_and_a_link_to_its_UI()
    {
        await using var context = await system.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(system.GatewayUrl + "/");

        foreach (var id in new[] { system.Peer1Id, system.Peer2Id })
        {
            var row = page.Locator($"#fleet tbody tr[data-peer='{id}']");
            await Expect(row.Locator("td[data-label='Health']")).ToHaveTextAsync("healthy", new() { Timeout = 30_000 });
            await Expect(row.GetByRole(AriaRole.Link, new() { Name = $"Peer {id}", Exact = true })).ToHaveAttributeAsync("href", $"peers/{id}/");
            // The peer reported its status: its version and speeds in human units, not dashes.
            await Expect(row.Locator("td[data-label='Version']")).Not.ToHaveTextAsync("–");
            await Expect(row.Locator("td[data-label='Download']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^(idle|[\d.]+ (B|KiB|MiB|GiB)/s)$"));
        }
        // Other tests of this system start peers of their own and stop them: the summary counts what the table lists
        // (read in one go, as the page refreshes every few seconds).
        await Expect(page.Locator("#fleet-summary")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ peers, \d+ healthy"));
        var counts = "";
        for (var attempt = 0; attempt < 30; attempt++)
        {
            counts = await page.EvaluateAsync<string>(@"() => {
                const rows = document.querySelectorAll('#fleet tbody tr').length;
                const healthy = document.querySelectorAll(""#fleet tbody tr[data-health='healthy']"").length;
                return `${rows} peers, ${healthy} healthy|` + document.getElementById('fleet-summary').textContent; }");
            var parts = counts.Split('|');
            if (parts[1].StartsWith(parts[0], StringComparison.Ordinal)) break;
            await Task.Delay(500);
        }
        var (listed, summary) = (counts.Split('|')[0], counts.Split('|')[1]);
        Assert.StartsWith(listed, summary, StringComparison.Ordinal);
        Assert.True(await page.Locator("#fleet tbody tr[data-health='healthy']").CountAsync() >= 2, "both peers of the system are healthy");
        await Expect(page.Locator("#fleet-empty")).ToBeHiddenAsync();
        await page.Locator("#fleet-section").ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("gateway-fleet.png") });

        // The link opens the peer's UI through the gateway (for its owner, logged in with its login link).
        await system.LogInAsync(context, system.Peer1Id);
        await page.GetByRole(AriaRole.Link, new() { Name = $"Peer {system.Peer1Id}", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{system.GatewayUrl}/peers/{system.Peer1Id}/");
        await Expect(page.Locator("#who")).ToContainTextAsync($"peer {system.Peer1Id}");
    }

    [Fact]
    public async Task The_catalog_pages_by_25_and_sorts_by_name_size_and_seeders()
    {
        // 30 files nobody seeds, sizes 1 to 30 KiB, and one a peer seeds; all named so one search finds them alone.
        for (var i = 1; i <= 30; i++) await system.PublishOrphanTorrentAsync($"paging-{i:D2}.bin", i * 1024L);
        var seeded = Path.Combine(system.Folder.Path, "paging-seeded.txt");
        await File.WriteAllTextAsync(seeded, "Seeded by peer 1.");
        await system.PublishViaApiAsync(system.Peer1, seeded);

        await using var context = await system.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(system.GatewayUrl + "/");
        await page.Locator("#search").FillAsync("paging-");
        var names = page.Locator("#files tbody td.name");

        await Expect(page.Locator("#page-info")).ToHaveTextAsync("1–25 of 31 files");
        await Expect(names).ToHaveCountAsync(25);
        await Expect(names.First).ToHaveTextAsync("paging-01.bin");
        await Expect(page.Locator("#prev")).ToBeDisabledAsync();
        await page.Locator("#next").ClickAsync();
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("26–31 of 31 files");
        await Expect(names).ToHaveTextAsync(["paging-26.bin", "paging-27.bin", "paging-28.bin", "paging-29.bin", "paging-30.bin", "paging-seeded.txt"]);
        await Expect(page.Locator("#next")).ToBeDisabledAsync();

        // A column header sorts (largest first) and goes back to the first page; a second click reverses.
        var sizeHeader = page.Locator("#files th[data-sort='size']");
        await sizeHeader.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("1–25 of 31 files");
        await Expect(sizeHeader).ToHaveAttributeAsync("aria-sort", "descending");
        await Expect(page.Locator("#files tbody tr").First.Locator("td").Nth(1)).ToHaveTextAsync("30.0 KiB");
        await Expect(names.First).ToHaveTextAsync("paging-30.bin");
        await sizeHeader.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(sizeHeader).ToHaveAttributeAsync("aria-sort", "ascending");
        await Expect(names.First).ToHaveTextAsync("paging-seeded.txt");
        await Expect(names.Nth(1)).ToHaveTextAsync("paging-01.bin");

        // By seeders, most first: the file a peer seeds leads (its count reaches every node within seconds).
        await page.Locator("#sort").SelectOptionAsync("seeders:desc");
        await Expect(names.First).ToHaveTextAsync("paging-seeded.txt", new() { Timeout = 30_000 });
        await Expect(page.Locator("#files tbody tr").First.Locator("td[data-label='Seeders']")).ToHaveTextAsync("1");
        await page.Locator("#sort").SelectOptionAsync("name:desc");
        await Expect(names.First).ToHaveTextAsync("paging-seeded.txt");
        await Expect(names.Nth(1)).ToHaveTextAsync("paging-30.bin");
        await page.Locator("#files-section").ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("gateway-catalog.png") });
        await Expect(page.Locator("#error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_file_kept_at_three_copies_says_how_many_are_online()
    {
        // A registered peer publishes a file asking for three copies; nobody seeds it yet.
        var ring = system.Ring.Nodes[0].Url;
        using var registered = await system.Ring.Http.PostAsJsonAsync($"{ring}/api/tracker/peers",
            new BitTorrent.Shared.Contracts.Tracker.PeerRegistration("127.0.0.1", 7999, "http://127.0.0.1:8999"));
        var peer = (await registered.Content.ReadFromJsonAsync<BitTorrent.Shared.Contracts.Tracker.RegisteredPeer>(JsonSerializerOptions.Web))!;
        var info = new BitTorrent.Shared.Bencode.BDictionary
        {
            { "length", new BitTorrent.Shared.Bencode.BInteger(4096) },
            { "name", new BitTorrent.Shared.Bencode.BString("kept-copies.bin") },
            { "piece length", new BitTorrent.Shared.Bencode.BInteger(262144) },
            { "pieces", new BitTorrent.Shared.Bencode.BString(new byte[20]) },
        };
        var torrent = new BitTorrent.Shared.Bencode.BDictionary { { "announce", new BitTorrent.Shared.Bencode.BString(ring + "/announce") }, { "info", info } };
        using var content = new ByteArrayContent(torrent.Encode());
        using var publish = new HttpRequestMessage(HttpMethod.Post, $"{ring}/api/tracker/files?copies=3") { Content = content };
        publish.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", peer.Token);
        using var published = await system.Ring.Http.SendAsync(publish);
        published.EnsureSuccessStatusCode();

        await using var context = await system.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(system.GatewayUrl + "/");
        await page.Locator("#search").FillAsync("kept-copies");

        var row = page.Locator("#files tbody td.name");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator(".copies-note")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\s*· 0 of 3 copies online$"));
        await Expect(page.Locator("#error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Dark_mode_follows_the_system_and_the_toggle_is_remembered()
    {
        await using var context = await system.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            Locale = "en-US",
            ColorScheme = ColorScheme.Dark,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(system.GatewayUrl + "/");
        var toggle = page.Locator("#theme");
        await Expect(Nodes(page)).ToHaveCountAsync(system.Ring.Live.Count());

        await Expect(toggle).ToHaveTextAsync("Light mode");
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.True(await BackgroundLightnessAsync(page) < 0.3, "a system in dark mode gets a dark page");
        await page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("gateway-dark.png"), Animations = ScreenshotAnimations.Disabled });

        await toggle.ClickAsync();
        await Expect(toggle).ToHaveTextAsync("Dark mode");
        Assert.True(await BackgroundLightnessAsync(page) > 0.7, "the toggle turns the page light");
        await page.ReloadAsync();
        await Expect(toggle).ToHaveTextAsync("Dark mode");
        Assert.True(await BackgroundLightnessAsync(page) > 0.7, "the choice is remembered after a reload");
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveTextAsync("Light mode");
        Assert.True(await BackgroundLightnessAsync(page) < 0.3, "the toggle turns the page dark again");
    }

    [Fact]
    public async Task At_375_px_the_ring_the_fleet_and_the_catalog_fit_without_scrolling_sideways()
    {
        // Its own catalog entry, with a long name, so the catalog has a row however the tests are ordered.
        await system.PublishOrphanTorrentAsync("narrow-screen-a-rather-long-file-name-that-must-wrap.bin", 4096);
        await using var context = await system.NewContextAsync(375, 812);
        var page = await context.NewPageAsync();
        await page.GotoAsync(system.GatewayUrl + "/");
        await Expect(Nodes(page)).ToHaveCountAsync(system.Ring.Live.Count());
        await Expect(page.Locator($"#fleet tbody tr[data-peer='{system.Peer1Id}']")).ToBeVisibleAsync();
        await Expect(page.Locator("#files tbody tr").First).ToBeVisibleAsync();
        await Node(page, (await TopmostMemberAsync()).Url).Locator("circle.dot").ClickAsync();
        await Expect(page.Locator("#node-details h3")).ToBeVisibleAsync();

        Assert.False(await PeerPage.HasHorizontalScrollAsync(page), "the gateway page scrolls sideways at 375 px");
        foreach (var part in new[] { "#ring-svg", "#node-details", "#fleet tbody tr", "#files tbody tr", ".pager" })
        {
            var box = await page.Locator(part).First.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= 375.5, $"{part} runs past the screen's edge: x {box.X}, width {box.Width}");
        }
        Assert.True((await page.Locator("#ring-svg").BoundingBoxAsync())!.Width >= 250, "the ring picture is too small to read at 375 px");
        await page.Locator("#ring-section").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("gateway-narrow.png"), Animations = ScreenshotAnimations.Disabled });
        await page.Locator("#fleet-section").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("gateway-narrow-fleet.png"), Animations = ScreenshotAnimations.Disabled });
    }

    /// <summary>The page background's lightness, 0 (black) to 1 (white).</summary>
    private static async Task<double> BackgroundLightnessAsync(IPage page)
    {
        var rgb = await page.EvaluateAsync<int[]>("() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)");
        return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
    }
}
