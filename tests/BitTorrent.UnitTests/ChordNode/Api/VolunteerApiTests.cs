using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BitTorrent.ChordNode.Api;
using BitTorrent.Shared.Contracts;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.UnitTests.TestDoubles;
using Refit;

namespace BitTorrent.UnitTests.ChordNode.Api;

/// <summary>Target copies and volunteer assignments on real Kestrel (127.0.0.1) over the in-memory store, through the Refit client.</summary>
public sealed class VolunteerApiTests : IAsyncLifetime
{
    private readonly InMemoryDht _dht = new();
    private TrackerApiHost _host = null!;
    private HttpClient _http = null!;
    private ITrackerApi _api = null!;
    private int _nextPort = 7100;

    public async Task InitializeAsync()
    {
        _host = await TrackerApiHost.StartAsync(_dht);
        _http = _host.Http;
        _api = _host.Api;
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    private Task<RegisteredPeer> Peer() =>
        _api.RegisterPeerAsync(new PeerRegistration("127.0.0.1", ++_nextPort, "http://127.0.0.1:8001"));

    private static ByteArrayContent TorrentContent(byte[] torrent) =>
        new(torrent) { Headers = { ContentType = new MediaTypeHeaderValue(TrackerApi.TorrentContentType) } };

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":" + (int)status, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Task AssertProblem(IApiResponse response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentHeaders?.ContentType?.MediaType);
        Assert.Contains("\"status\":" + (int)status, (response.Error as ApiException)?.Content ?? "", StringComparison.Ordinal);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Publishing_with_copies_lists_the_target_and_a_volunteer_is_asked_to_fetch_it()
    {
        var publisher = await Peer();
        var volunteer = await Peer();

        var published = await _api.PublishWithCopiesAsync(TorrentContent(Torrents.SingleFile("kept.iso", 5000)), 3, publisher.Token);

        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var infoHash = published.Content!.InfoHash;
        Assert.Equal(3, Assert.Single(await _api.GetFilesAsync(null)).Copies);
        var assignment = await _api.GetVolunteerAssignmentAsync(volunteer.PeerId, new VolunteerReport(1_000_000, 2, [], []), volunteer.Token);
        Assert.Equal(HttpStatusCode.OK, assignment.StatusCode);
        Assert.Equal(15, assignment.Content!.PollAfterSeconds); // the default Tracker:VolunteerPollInterval
        var task = Assert.Single(assignment.Content.Tasks);
        Assert.Equal((infoHash, VolunteerAction.Fetch, 5000L), (task.InfoHash, task.Action, task.Length));
        Assert.NotNull(task.LeaseUntil);
    }

    [Fact]
    public async Task Publishing_with_copies_out_of_range_or_without_a_token_is_refused()
    {
        var publisher = await Peer();
        var torrent = Torrents.SingleFile("refused.iso", 5000);

        await AssertProblem(await _api.PublishWithCopiesAsync(TorrentContent(torrent), 0, publisher.Token), HttpStatusCode.BadRequest);
        await AssertProblem(await _api.PublishWithCopiesAsync(TorrentContent(torrent), CopiesRequest.Max + 1, publisher.Token), HttpStatusCode.BadRequest);
        using var word = await _http.PostAsync("/api/tracker/files?copies=three", TorrentContent(torrent));
        await AssertProblem(word, HttpStatusCode.BadRequest);
        using var anonymous = await _http.PostAsync("/api/tracker/files?copies=3", TorrentContent(torrent));
        await AssertProblem(anonymous, HttpStatusCode.Unauthorized);

        Assert.Empty(await _api.GetFilesAsync(null));
        Assert.Empty(_dht.Set("copies-index"));
    }

    [Fact]
    public async Task Only_the_publisher_changes_a_files_copies()
    {
        var publisher = await Peer();
        var stranger = await Peer();
        var infoHash = (await _api.PublishWithCopiesAsync(TorrentContent(Torrents.SingleFile("owned.iso", 5000)), 2, publisher.Token)).Content!.InfoHash;

        await AssertProblem(await _api.SetCopiesAsync(infoHash, new CopiesRequest(4), stranger.Token), HttpStatusCode.Forbidden);
        using (var anonymous = await _http.PutAsync($"/api/tracker/files/{infoHash}/copies", JsonContent.Create(new CopiesRequest(4))))
            await AssertProblem(anonymous, HttpStatusCode.Unauthorized);
        await AssertProblem(await _api.SetCopiesAsync(infoHash, new CopiesRequest(0), publisher.Token), HttpStatusCode.BadRequest);
        await AssertProblem(await _api.SetCopiesAsync("not-a-hash", new CopiesRequest(4), publisher.Token), HttpStatusCode.BadRequest);
        await AssertProblem(await _api.SetCopiesAsync(new string('b', 40), new CopiesRequest(4), publisher.Token), HttpStatusCode.NotFound);
        Assert.Equal(2, Assert.Single(await _api.GetFilesAsync(null)).Copies);

        var changed = await _api.SetCopiesAsync(infoHash, new CopiesRequest(4), publisher.Token);

        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.Equal(4, Assert.Single(await _api.GetFilesAsync(null)).Copies);
        var page = await _http.GetFromJsonAsync<TrackerFilePage>("/api/tracker/files?page=1&sort=seeders");
        Assert.Equal(4, Assert.Single(page!.Items).Copies);
        var details = (await _api.GetFileAsync(infoHash)).Content!;
        Assert.Equal(4, details.Copies);
        Assert.Equal(Assert.Single(await _api.GetFilesAsync(null)).Published, details.Published);
    }

    [Fact]
    public async Task An_assignment_needs_the_peers_own_token_a_known_peer_and_a_valid_bounded_report()
    {
        var volunteer = await Peer();
        var other = await Peer();
        var report = new VolunteerReport(1000, 1, [], []);

        using (var anonymous = await _http.PostAsync($"/api/tracker/volunteers/{volunteer.PeerId}/assignment", JsonContent.Create(report)))
            await AssertProblem(anonymous, HttpStatusCode.Unauthorized);
        await AssertProblem(await _api.GetVolunteerAssignmentAsync(volunteer.PeerId, report, other.Token), HttpStatusCode.Forbidden);
        await AssertProblem(await _api.GetVolunteerAssignmentAsync(999, report, PeerToken.Create(999)), HttpStatusCode.NotFound);
        await AssertProblem(await _api.GetVolunteerAssignmentAsync(volunteer.PeerId, report with { FreeSlots = 65 }, volunteer.Token), HttpStatusCode.BadRequest);
        await AssertProblem(await _api.GetVolunteerAssignmentAsync(volunteer.PeerId, report with { Held = ["not-a-hash"] }, volunteer.Token), HttpStatusCode.BadRequest);
        await AssertProblem(await _api.GetVolunteerAssignmentAsync(volunteer.PeerId,
            report with { Fetching = Enumerable.Repeat(new string('c', 40), VolunteerReport.MaxHeld + 1).ToList() }, volunteer.Token), HttpStatusCode.BadRequest);

        // Sent with its length and Expect: 100-continue, so the node refuses it from the headers before any of it is
        // sent: a body streamed into a refusal races the connection's close, and the client may see a reset instead.
        var huge = report with { Held = Enumerable.Repeat(new string('d', 40), 4000).ToList() };
        using var oversized = new HttpRequestMessage(HttpMethod.Post, $"/api/tracker/volunteers/{volunteer.PeerId}/assignment")
        {
            Content = new StringContent(JsonSerializer.Serialize(huge, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"),
        };
        oversized.Headers.ExpectContinue = true;
        oversized.Headers.Authorization = new AuthenticationHeaderValue(PeerToken.Scheme, volunteer.Token);
        using var tooLarge = await _http.SendAsync(oversized);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        // Nothing refused was remembered as a volunteer.
        Assert.Empty(_dht.Set("volunteers"));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetVolunteerAssignmentAsync(volunteer.PeerId, report, volunteer.Token)).StatusCode);
        Assert.Single(_dht.Set("volunteers"));
    }
}
