using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Access;

/// <summary>
/// Only a peer's owner controls it. Every route that changes something (walked from the peer's endpoint data
/// source), straight at the peer and through the gateway, without a key, with a wrong key and with another peer's
/// key, is refused with 401 and changes nothing; a session cookie from the login link works only from the peer's own
/// page; a foreign Host is refused; the key never reaches a log. A file still moves between the peers afterwards.
/// </summary>
public sealed class PeerAccessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_mutating_route_without_the_peers_own_key_or_from_another_origin_is_refused_and_a_file_still_moves()
    {
        var routes = PeerRoutes.Mutating();
        Assert.Contains(routes, r => r.ToString() == "POST /api/files");
        Assert.Contains(routes, r => r.ToString() == "POST /api/downloads/{id}/cancel");
        Assert.Contains(routes, r => r.ToString() == "PUT /api/me/tracker");

        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring);
        await using var victim = await PeerProcess.StartAsync(ring, folder.Sub("victim"));
        await using var other = await PeerProcess.StartAsync(ring, folder.Sub("other"));
        var victimId = (await victim.MeAsync()).PeerId;
        var otherId = (await other.MeAsync()).PeerId;

        // The victim holds a file it published and one it downloaded (so pause, cancel and retry have something to hit).
        var published = await victim.PublishAsync(folder.RandomFile("victims-own.bin", 300_000, seed: 3));
        var othersFile = await other.PublishAsync(folder.RandomFile("others.bin", 200_000, seed: 4));
        using (var start = await victim.StartDownloadAsync(othersFile.InfoHash)) Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await victim.WaitForStateAsync(othersFile.InfoHash, "completed");
        var before = await SnapshotAsync(victim);

        // Every mutating route, every way in, every wrong credential: 401, and the endpoint never ran.
        using var direct = new HttpClient { BaseAddress = new Uri(victim.Url + "/") };
        using var throughGateway = new HttpClient { BaseAddress = new Uri($"{gatewayProcess.Url}/peers/{victimId}/") };
        foreach (var route in routes)
        {
            foreach (var hash in new[] { published.InfoHash, othersFile.InfoHash })
            {
                foreach (var (way, client) in new[] { ("directly", direct), ("through the gateway", throughGateway) })
                {
                    foreach (var (credential, key) in new[] { ("no key", null), ("a wrong key", "wrong-" + victim.ApiKey), ("another peer's key", other.ApiKey), ("an empty bearer", "") })
                    {
                        using var request = Attack(route, hash, key);
                        using var response = await client.SendAsync(request);
                        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized,
                            $"{route} {way} with {credential}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    }
                }
            }
        }
        Assert.Equal(before, await SnapshotAsync(victim));

        // The login link: a session cookie named for this peer, HttpOnly, SameSite=Strict, on the peer's path, and
        // a redirect to the url without the key. A wrong key gets no cookie.
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        var directCookie = await LogInAsync(noRedirects, $"{victim.Url}/?key={Uri.EscapeDataString(victim.ApiKey)}", "/", "/");
        var gatewayCookie = await LogInAsync(noRedirects, $"{gatewayProcess.Url}/peers/{victimId}/?key={Uri.EscapeDataString(victim.ApiKey)}",
            $"/peers/{victimId}/", $"/peers/{victimId}/");
        var otherCookie = await LogInAsync(noRedirects, $"{other.Url}/?key={Uri.EscapeDataString(other.ApiKey)}", "/", "/");
        Assert.NotEqual(CookieName(directCookie), CookieName(otherCookie)); // logging into one peer never logs out another
        Assert.Equal(CookieName(directCookie), CookieName(gatewayCookie));
        using (var wrong = await noRedirects.GetAsync($"{victim.Url}/?key=not-the-key"))
        {
            Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
            Assert.False(wrong.Headers.Contains("Set-Cookie"), "a wrong key got a session cookie");
            Assert.Equal("/#wrong-key", wrong.Headers.Location?.OriginalString);
        }

        // The session cookie reads, and changes from the peer's own page (Origin its own origin)...
        var pair = CookiePair(directCookie);
        using (var read = Send(HttpMethod.Get, $"{victim.Url}/api/me", pair, origin: null))
        using (var answer = await noRedirects.SendAsync(read)) Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using (var own = Send(HttpMethod.Put, $"{victim.Url}/api/me/tracker", pair, origin: victim.Url, json: """{"url":""}"""))
        using (var answer = await noRedirects.SendAsync(own)) Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        // ...but a change from another site, from another peer's origin, or with neither Origin nor Referer is refused.
        var gatewayPair = CookiePair(gatewayCookie);
        var crossOrigin = new (string What, string Url, string Cookie, string? Origin, string? Referer)[]
        {
            ("Origin of another site", victim.Url, pair, "http://evil.example", null),
            ("Origin of another peer", victim.Url, pair, other.Url, null),
            ("Referer of another peer", victim.Url, pair, null, other.Url + "/"),
            ("neither Origin nor Referer", victim.Url, pair, null, null),
            ("Origin null (a sandboxed page)", victim.Url, pair, "null", null),
            ("through the gateway, Origin of another site", $"{gatewayProcess.Url}/peers/{victimId}", gatewayPair, "http://evil.example", null),
            ("through the gateway, from another peer's path", $"{gatewayProcess.Url}/peers/{victimId}", gatewayPair, gatewayProcess.Url, $"{gatewayProcess.Url}/peers/{otherId}/"),
        };
        foreach (var (what, root, cookie, origin, referer) in crossOrigin)
        {
            foreach (var route in routes)
            {
                using var request = Attack(route, published.InfoHash, key: null, root);
                request.Headers.Add("Cookie", cookie);
                if (origin is not null) request.Headers.Add("Origin", origin);
                if (referer is not null) request.Headers.Referrer = new Uri(referer);
                using var response = await noRedirects.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route} with a session cookie, {what}: {(int)response.StatusCode}");
            }
        }
        Assert.Equal(before, await SnapshotAsync(victim));

        // A request for a host the peer does not serve is refused.
        using (var foreign = new HttpRequestMessage(HttpMethod.Get, $"{victim.Url}/api/me"))
        {
            foreign.Headers.Host = "evil.example";
            foreign.Headers.Authorization = new AuthenticationHeaderValue("Bearer", victim.ApiKey);
            using var answer = await noRedirects.SendAsync(foreign);
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        }

        // The system still works: the other peer downloads the victim's file through the gateway, with its own key.
        using var otherThroughGateway = await other.ThroughGatewayAsync(gatewayProcess.Url);
        using (var start = await otherThroughGateway.PostAsJsonAsync("api/downloads", new { infoHash = published.InfoHash }))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await other.WaitForStateAsync(published.InfoHash, "completed");
        Assert.Equal(await victim.ContentSha256Async(published.InfoHash), await other.ContentSha256Async(published.InfoHash));

        // No log holds a key, though login links (?key=) went through the gateway and reached both peers.
        foreach (var (name, log) in new[] { ("victim", victim.Process.Log), ("other", other.Process.Log), ("gateway", gatewayProcess.Log) })
        {
            Assert.DoesNotContain(victim.ApiKey, log, StringComparison.Ordinal);
            Assert.DoesNotContain(other.ApiKey, log, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(log), $"the {name}'s log is empty: nothing was looked at");
        }
    }

    /// <summary>A request on a route that would change something, with a body it accepts.</summary>
    private static HttpRequestMessage Attack(PeerRoutes.Route route, string infoHash, string? key, string? root = null)
    {
        var path = route.PathWith(infoHash);
        var request = new HttpRequestMessage(new HttpMethod(route.Method), root is null ? path : $"{root}/{path}");
        if (route.TakesMultipart)
        {
            var form = new MultipartFormDataContent();
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes("<script>alert(1)</script>")), "file", "planted.html");
            request.Content = form;
        }
        else
        {
            request.Content = new StringContent(JsonSerializer.Serialize(new { infoHash, url = "http://127.0.0.1:9" }), Encoding.UTF8, "application/json");
        }
        if (key is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        return request;
    }

    private static HttpRequestMessage Send(HttpMethod method, string url, string cookie, string? origin, string? json = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Cookie", cookie);
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>Follows a login link without following its redirect; checks the cookie and where it redirects.</summary>
    private static async Task<string> LogInAsync(HttpClient http, string link, string expectedPath, string expectedLocation)
    {
        using var response = await http.GetAsync(link);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expectedLocation, response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        var parts = cookie.Split(';', StringSplitOptions.TrimEntries);
        Assert.StartsWith("peer-session-", parts[0], StringComparison.Ordinal);
        Assert.Contains($"path={expectedPath}", parts, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("httponly", parts, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", parts, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain(link[(link.IndexOf("key=", StringComparison.Ordinal) + 4)..], cookie, StringComparison.Ordinal); // the value is not the key
        return cookie;
    }

    private static string CookiePair(string setCookie) => setCookie.Split(';')[0];

    private static string CookieName(string setCookie) => CookiePair(setCookie).Split('=')[0];

    /// <summary>What an attacker could change: the files, the downloads' states, the tracker choice and the Storage tree.</summary>
    private static async Task<string> SnapshotAsync(PeerProcess peer)
    {
        var files = await peer.Http.GetStringAsync("api/files");
        var downloads = (await peer.Http.GetFromJsonAsync<BitTorrent.Peer.Api.DownloadView[]>("api/downloads", ChordRing.Json))!
            .Select(d => $"{d.Id} {d.State} {d.BytesDone} limits {d.DownloadLimit}/{d.UploadLimit}");
        var settings = await peer.Http.GetStringAsync("api/settings");
        var me = await peer.MeAsync();
        var tree = Directory.EnumerateFiles(peer.Storage, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}state{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(peer.Storage, f) + " " + new FileInfo(f).Length)
            .Order(StringComparer.Ordinal);
        return string.Join("\n", [files, .. downloads, settings, $"tracker by hand: {me.Tracker.Manual}", .. tree]);
    }
}
