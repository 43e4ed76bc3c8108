using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BitTorrent.ChordNode.Api;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Contracts;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.UnitTests.ChordNode.Tracker;
using BitTorrent.UnitTests.TestDoubles;
using Refit;

namespace BitTorrent.UnitTests.ChordNode.Api;

/// <summary>The trust rules as HTTP shows them, on real Kestrel over the in-memory store: 401/403 problems, body and rate limits, the OpenAPI scheme.</summary>
public sealed class TrackerApiTrustTests : IAsyncLifetime
{
    private const int RequestsPerSecond = 40;
    private readonly InMemoryDht _dht = new();
    private TrackerApiHost _host = null!;
    private HttpClient _http = null!;
    private ITrackerApi _api = null!;

    public async Task InitializeAsync()
    {
        _host = await TrackerApiHost.StartAsync(_dht, new Dictionary<string, string?>
        {
            ["Tracker:RequestsPerSecond"] = RequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        _http = _host.Http;
        _api = _host.Api;
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Updating_a_peer_without_a_token_is_a_401_problem_with_a_bearer_challenge_and_changes_nothing()
    {
        var peer = await _api.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7001, "http://127.0.0.1:8001"));

        using var response = await _http.PutAsJsonAsync($"/api/tracker/peers/{peer.PeerId}", new PeerRegistration("127.0.0.1", 7666, "http://127.0.0.1:6666"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(peer.ToPeerInfo(), (await _api.GetPeerAsync(peer.PeerId)).Content);
    }

    [Fact]
    public async Task Updating_a_peer_with_another_peers_token_is_a_403_problem_and_changes_nothing()
    {
        var victim = await _api.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7001, "http://127.0.0.1:8001"));
        var attacker = await _api.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7002, "http://127.0.0.1:8002"));

        var response = await _api.UpdatePeerAsync(victim.PeerId, new PeerRegistration("127.0.0.1", 7666, "http://127.0.0.1:6666"), attacker.Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", Assert.IsAssignableFrom<ApiException>(response.Error).ContentHeaders?.ContentType?.MediaType);
        Assert.Equal(victim.ToPeerInfo(), (await _api.GetPeerAsync(victim.PeerId)).Content);
    }

    [Theory]
    [InlineData("""{"transferHost":"127.0.0.1","transferPort":7001,"apiUrl":null}""", "apiUrl")]
    [InlineData("""{"transferHost":"127.0.0.1","transferPort":7001}""", "apiUrl")]
    [InlineData("""{"transferHost":"127.0.0.1","transferPort":7001,"apiUrl":""}""", "apiUrl")]
    [InlineData("""{"transferHost":"127.0.0.1","transferPort":7001,"apiUrl":"http://169.254.169.254/latest"}""", "apiUrl")]
    [InlineData("""{"transferHost":"127.0.0.1","transferPort":7001,"apiUrl":"gopher://127.0.0.1/"}""", "apiUrl")]
    [InlineData("""{"transferHost":null,"transferPort":7001,"apiUrl":"http://127.0.0.1:8001"}""", "transferHost")]
    [InlineData("""{"transferHost":"169.254.169.254","transferPort":7001,"apiUrl":"http://127.0.0.1:8001"}""", "transferHost")]
    public async Task A_missing_or_forbidden_field_is_a_validation_problem_even_with_the_owners_token(string body, string field)
    {
        var peer = await _api.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7001, "http://127.0.0.1:8001"));
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/tracker/peers/{peer.PeerId}")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", peer.Token);

        using var response = await _http.SendAsync(request);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(peer.ToPeerInfo(), (await _api.GetPeerAsync(peer.PeerId)).Content);
    }

    [Fact]
    public async Task Registration_returns_the_token_once_and_listing_never_shows_it()
    {
        var peer = await _api.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7001, "http://127.0.0.1:8001"));

        var listed = await _http.GetStringAsync("/api/tracker/peers");
        var read = await _http.GetStringAsync($"/api/tracker/peers/{peer.PeerId}");

        Assert.True(PeerToken.TryGetPeerId(peer.Token, out var id) && id == peer.PeerId);
        foreach (var text in new[] { listed, read })
        {
            Assert.DoesNotContain(peer.Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(PeerToken.Hash(peer.Token), text, StringComparison.Ordinal);
            Assert.DoesNotContain("token", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task A_json_body_larger_than_the_limit_is_refused_with_413_before_it_is_read()
    {
        var peer = await _api.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7001, "http://127.0.0.1:8001"));
        var huge = $$"""{"transferHost":"127.0.0.1","transferPort":7001,"apiUrl":"http://127.0.0.1:8001","padding":"{{new string('x', 64 * 1024)}}"}""";
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/tracker/peers/{peer.PeerId}")
        {
            Content = new StringContent(huge, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", peer.Token);
        request.Headers.ExpectContinue = true; // the server answers from the headers; the body is never sent

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(peer.ToPeerInfo(), (await _api.GetPeerAsync(peer.PeerId)).Content);
    }

    [Fact]
    public async Task A_torrent_of_a_few_hundred_kilobytes_is_still_accepted()
    {
        var torrent = Torrents.SingleFile("big.iso", 10L * 1024 * 1024 * 1024, pieceLength: 256 * 1024); // 40,960 pieces: 800 KB of hashes
        using var content = new ByteArrayContent(torrent) { Headers = { ContentType = new MediaTypeHeaderValue(TrackerApi.TorrentContentType) } };
        var response = await _api.PublishAsync(content);
        Assert.True(torrent.Length > 700_000);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Publishing_with_a_token_that_is_not_a_registered_peers_is_refused()
    {
        using var content = new ByteArrayContent(Torrents.SingleFile("x.bin", 10)) { Headers = { ContentType = new MediaTypeHeaderValue(TrackerApi.TorrentContentType) } };
        var response = await _api.PublishAsOwnerAsync(content, PeerToken.Create(77));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await _api.GetFilesAsync());
    }

    [Fact]
    public async Task A_flood_from_one_address_gets_429_problems_and_bencoded_failures_then_recovers()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 4 * RequestsPerSecond).Select(async i =>
        {
            using var response = await _http.GetAsync(i % 2 == 0 ? "/api/tracker/peers" : "/announce" + AnnounceRequestTests.Query());
            return (Path: response.RequestMessage!.RequestUri!.AbsolutePath, response.StatusCode, response.Content.Headers.ContentType?.MediaType,
                Body: await response.Content.ReadAsByteArrayAsync());
        }));

        var refusedRest = responses.Where(r => r.Path == "/api/tracker/peers" && r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        var refusedAnnounces = responses.Where(r => r.Path == "/announce" && r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refusedRest);
        Assert.NotEmpty(refusedAnnounces);
        Assert.All(refusedRest, r => Assert.Equal("application/problem+json", r.MediaType));
        Assert.All(refusedAnnounces, r => Assert.Contains("too many",
            Assert.IsType<BDictionary>(BencodeReader.Decode(r.Body)).Require<BString>("failure reason").Text, StringComparison.Ordinal));

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var later = await _http.GetAsync("/api/tracker/peers");
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_names_the_peer_token_scheme_on_the_routes_that_need_it()
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty(PeerTokenAuth.SchemeName);
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));

        bool Secured(string path, string method) =>
            root.GetProperty("paths").GetProperty(path).GetProperty(method).TryGetProperty("security", out var security)
            && security.EnumerateArray().Any(r => r.TryGetProperty(PeerTokenAuth.SchemeName, out _));
        Assert.True(Secured("/api/tracker/peers/{peerId}", "put"));
        Assert.True(Secured("/api/tracker/files/{infoHash}/swarm/{peerId}", "put"));
        Assert.True(Secured("/api/tracker/files/{infoHash}/swarm/{peerId}", "delete"));
        Assert.True(Secured("/api/tracker/files/{infoHash}", "delete"));
        Assert.False(Secured("/api/tracker/peers", "post"));
        Assert.True(root.GetProperty("paths").GetProperty("/api/tracker/peers/{peerId}").GetProperty("put").GetProperty("responses").TryGetProperty("401", out _));
    }
}
