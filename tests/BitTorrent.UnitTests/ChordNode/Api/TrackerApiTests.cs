using System.Net;
using System.Net.Http.Headers;
using BitTorrent.ChordNode.Api;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Contracts;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.UnitTests.ChordNode.Tracker;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Refit;

namespace BitTorrent.UnitTests.ChordNode.Api;

/// <summary>The endpoints on real Kestrel (127.0.0.1, a free port) over the in-memory store, called through the Refit client.</summary>
public sealed class TrackerApiTests : IAsyncLifetime
{
    private readonly InMemoryDht _dht = new();
    private TrackerApiHost _host = null!;
    private HttpClient _http = null!;
    private ITrackerApi _api = null!;

    public async Task InitializeAsync()
    {
        _host = await TrackerApiHost.StartAsync(_dht);
        _http = _host.Http;
        _api = _host.Api;
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    private static ByteArrayContent TorrentContent(byte[] torrent) =>
        new(torrent) { Headers = { ContentType = new MediaTypeHeaderValue(TrackerApi.TorrentContentType) } };

    [Fact]
    public async Task Publish_then_list_details_and_download_the_torrent()
    {
        var torrent = Torrents.SingleFile("Report.pdf", 40_000);

        var created = await _api.PublishAsync(TorrentContent(torrent));
        var again = await _api.PublishAsync(TorrentContent(torrent));
        var infoHash = created.Content!.InfoHash;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/tracker/files/{infoHash}", created.Headers?.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False(again.Content!.Created);
        var listed = Assert.Single(await _api.GetFilesAsync("report"));
        Assert.Equal(new TrackerFileSummary(infoHash, "Report.pdf", 40_000, 0, 0), listed with { Published = null });
        // Published once, dated by the first publish (the second one did not move it).
        Assert.InRange(listed.Published!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Empty(await _api.GetFilesAsync("nothing-like-it"));
        var details = await _api.GetFileAsync(infoHash);
        Assert.Equal((3, 0), (details.Content!.PieceCount, details.Content.Peers.Count));
        // Published without a target: one copy, the publisher's, and the catalog's date.
        Assert.Equal((1, listed.Published), (details.Content.Copies, details.Content.Published));

        using var download = await _api.GetTorrentAsync(infoHash);
        Assert.Equal(TrackerApi.TorrentContentType, download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Report.pdf.torrent", download.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(torrent, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Invalid_torrent_is_a_400_problem()
    {
        var response = await _api.PublishAsync(TorrentContent("not a torrent"u8.ToArray()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(Assert.IsAssignableFrom<ApiException>(response.Error).Content);
        Assert.Equal("Invalid torrent", problem.Title);
    }

    [Fact]
    public async Task Unknown_file_is_a_404_problem_and_a_bad_info_hash_a_400()
    {
        var unknown = await _api.GetFileAsync(Id160.Hash("unknown").ToString());
        var malformed = await _api.GetFileAsync("xyz");
        using var torrent = await _api.GetTorrentAsync(Id160.Hash("unknown").ToString());

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", Assert.IsAssignableFrom<ApiException>(unknown.Error).ContentHeaders?.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, torrent.StatusCode);
    }

    [Fact]
    public async Task Peer_registers_updates_joins_and_leaves_a_swarm()
    {
        var peer = await _api.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7001, "http://127.0.0.1:8001"));
        var updated = await _api.UpdatePeerAsync(peer.PeerId, new PeerRegistration("127.0.0.1", 7002, "http://127.0.0.1:8001"), peer.Token);
        var unknown = await _api.UpdatePeerAsync(999, new PeerRegistration("127.0.0.1", 7002, "http://127.0.0.1:8001"), "999.unknown");
        var infoHash = (await _api.PublishAsync(TorrentContent(Torrents.SingleFile("a.txt", 3)))).Content!.InfoHash;

        var joined = await _api.JoinSwarmAsync(infoHash, peer.PeerId, new SwarmJoinRequest("127.0.0.1", 7002, Seeder: true), peer.Token);
        var listed = Assert.Single(await _api.GetFilesAsync());
        var left = await _api.LeaveSwarmAsync(infoHash, peer.PeerId, peer.Token);
        var after = await _api.GetFileAsync(infoHash);

        Assert.Equal(1, peer.PeerId);
        Assert.Equal(7002, updated.Content!.TransferPort);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(updated.Content, (await _api.GetPeerAsync(peer.PeerId)).Content);
        Assert.Equal([updated.Content], await _api.GetPeersAsync());
        Assert.Equal(1, joined.Content!.Seeders);
        Assert.Equal(1, listed.Seeders);
        Assert.Equal(HttpStatusCode.NoContent, left.StatusCode);
        Assert.Empty(after.Content!.Peers);
    }

    [Fact]
    public async Task Invalid_registration_is_a_validation_problem()
    {
        var e = await Assert.ThrowsAsync<ValidationApiException>(() => _api.RegisterPeerAsync(new PeerRegistration("", 0, "ftp://x")));
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal(["apiUrl", "transferHost", "transferPort"], e.Content!.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Announce_over_http_returns_compact_peers_and_excludes_the_requester()
    {
        var first = Id160.Hash("first").ToByteArray();
        var second = Id160.Hash("second").ToByteArray();
        await _http.GetByteArrayAsync("/announce" + AnnounceRequestTests.Query("&event=started", peerId: first, port: "6881"));
        using var response = await _http.GetAsync("/announce" + AnnounceRequestTests.Query(peerId: second, port: "6882"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var body = Assert.IsType<BDictionary>(BencodeReader.Decode(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal(new byte[] { 127, 0, 0, 1, 0x1a, 0xe1 }, body.Require<BString>("peers").Bytes);
        Assert.Equal(2, body.Require<BInteger>("incomplete").Value);
        Assert.Equal(30, body.Require<BInteger>("interval").Value);

        var scrape = await _http.GetByteArrayAsync("/scrape?info_hash=" + AnnounceRequestTests.UrlEncode(AnnounceRequestTests.InfoHashBytes));
        var files = Assert.IsType<BDictionary>(BencodeReader.Decode(scrape)).Require<BDictionary>("files");
        Assert.Equal(2, Assert.IsType<BDictionary>(Assert.Single(files).Value).Require<BInteger>("incomplete").Value);
    }

    [Fact]
    public async Task Malformed_announce_is_a_200_with_a_failure_reason()
    {
        using var response = await _http.GetAsync("/announce?peer_id=x&port=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = Assert.IsType<BDictionary>(BencodeReader.Decode(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal("peer_id must be 20 bytes", body.Require<BString>("failure reason").Text);
    }

    [Fact]
    public async Task Announce_while_the_store_fails_is_a_200_with_a_failure_reason_not_a_500()
    {
        _dht.FailWith = new HttpRequestException("ring unreachable");
        using var response = await _http.GetAsync("/announce" + AnnounceRequestTests.Query());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = Assert.IsType<BDictionary>(BencodeReader.Decode(await response.Content.ReadAsByteArrayAsync()));
        Assert.Contains("unavailable", body.Require<BString>("failure reason").Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_document_lists_the_endpoints_with_their_problem_responses()
    {
        using var document = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        var getFile = paths.GetProperty("/api/tracker/files/{infoHash}").GetProperty("get");
        Assert.Equal("GetTrackerFile", getFile.GetProperty("operationId").GetString());
        var responses = getFile.GetProperty("responses");
        Assert.True(responses.GetProperty("404").GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.True(responses.GetProperty("400").GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.True(paths.GetProperty("/api/tracker/files").GetProperty("post").GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(paths.TryGetProperty("/announce", out _));
        Assert.True(paths.TryGetProperty("/api/tracker/peers/{peerId}", out _));
    }

    private static async Task<Microsoft.AspNetCore.Mvc.ProblemDetails> ProblemAsync(string? json) =>
        await Task.FromResult(System.Text.Json.JsonSerializer.Deserialize<Microsoft.AspNetCore.Mvc.ProblemDetails>(json!, System.Text.Json.JsonSerializerOptions.Web)!);
}
