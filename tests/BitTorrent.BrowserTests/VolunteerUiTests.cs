using System.Net.Http.Json;
using System.Text;
using BitTorrent.BrowserTests.Infrastructure;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using BitTorrent.Peer.Storage;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BitTorrent.BrowserTests;

/// <summary>Files that stay available, in the peer's web UI: the Volunteer view, the Publish view's copies control, the catalog's copies.</summary>
[Collection(BrowserCollection.Name)]
public sealed class VolunteerUiTests(BrowserSystem system)
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task A_peer_lends_space_in_the_Volunteer_view_and_a_file_published_with_copies_is_fetched_and_listed_there()
    {
        const string name = "browser-kept-available.txt";
        await using var context = await system.NewContextAsync();
        try
        {
            // Peer 2 lends 64 MiB in its Volunteer view.
            var volunteer = await PeerPage.OpenAsync(system, context, system.Peer2Id);
            await volunteer.ShowAsync("Volunteer");
            await Expect(volunteer.Page.Locator("#volunteer-summary")).ToHaveTextAsync("Not volunteering.");
            await Expect(volunteer.Page.Locator("#volunteer-empty")).ToBeVisibleAsync();
            await volunteer.Page.GetByLabel("Space for volunteer copies").FillAsync("64");
            await volunteer.Page.Locator("#volunteer-form").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(volunteer.Message).ToHaveTextAsync("This peer lends up to 64.0 MiB to the ring.");
            Assert.Equal(64 * MiB, (await system.Peer2.Http.GetFromJsonAsync<PeerSettings>("api/settings", ChordRing.Json))!.VolunteerMaxBytes);

            // Peer 1 publishes a file asking for 2 copies; an out-of-range number is refused with a sentence.
            var publisher = await PeerPage.OpenAsync(system, context, system.Peer1Id);
            await publisher.ShowAsync("Publish");
            var copies = publisher.Page.GetByLabel("Copies to keep online");
            await copies.FillAsync("17");
            await publisher.Page.Locator("#publish-file").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes("Kept available by a volunteer.") });
            await Expect(publisher.Message).ToHaveTextAsync("Copies must be from 1 to 16; nothing was published.");
            await copies.FillAsync("2");
            await publisher.Page.Locator("#publish-file").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes("Kept available by a volunteer.") });
            await Expect(publisher.Message).ToHaveTextAsync($"{name} is published and shared.");
            await publisher.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-publish-copies.png") });

            // The ring asks peer 2 for a copy: its Volunteer view lists it, seeding, apart from its own files.
            await Expect(volunteer.Page.Locator("#volunteer-copies li.item").Filter(new() { HasTextString = name }).Locator(".state"))
                .ToHaveTextAsync("seeding · 100%", new() { Timeout = 60_000 });
            await Expect(volunteer.Page.Locator("#volunteer-summary")).ToContainTextAsync("of 64.0 MiB used");
            await volunteer.Page.ScreenshotAsync(new() { Path = BrowserSystem.ScreenshotPath("peer-volunteer.png") });
            Assert.DoesNotContain(name, await system.Peer2.Http.GetStringAsync("api/files"), StringComparison.Ordinal);

            // The catalog says how many of the copies asked for are online.
            await publisher.ShowAsync("Files");
            await publisher.Page.GetByPlaceholder("Search available files").FillAsync(name);
            await Expect(publisher.FileRow(name).Locator(".meta")).ToContainTextAsync("2 of 2 copies online", new() { Timeout = 30_000 });
        }
        finally
        {
            // Peer 2 stops volunteering (its copy is dropped), so later tests see its own files and downloads only.
            using var off = await system.Peer2.Http.PutAsJsonAsync("api/settings", new { volunteerMaxBytes = 0 });
            await Eventually.TrueAsync(async () => (await system.Peer2.Http.GetFromJsonAsync<VolunteerView>("api/volunteer", ChordRing.Json))!.Copies.Count == 0,
                TimeSpan.FromSeconds(30), "the volunteer copy was not dropped when volunteering stopped");
        }
    }
}
