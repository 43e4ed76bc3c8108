using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Access;

/// <summary>A peer's public content route (<c>/public/files/…</c>): shared files' bytes without the key, and nothing else.</summary>
public sealed class PublicContentRouteTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Public_route_serves_only_files_shared_whole_without_a_key_with_no_listing_and_no_way_out_of_the_folder()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        await using var other = await PeerProcess.StartAsync(ring, folder.Sub("other"));
        var source = folder.RandomFile("script.html", 200_000, seed: 61);
        var file = await peer.PublishAsync(source);
        var parts = new[] { (Path: folder.RandomFile("a", 1000, seed: 62), Relative: "tree/a.bin"), (Path: folder.RandomFile("b", 2000, seed: 63), Relative: "tree/sub/b.bin") };
        using var posted = await peer.PostFolderAsync(parts);
        posted.EnsureSuccessStatusCode();
        var tree = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("infoHash").GetString()!;
        using var anonymous = new HttpClient { BaseAddress = new Uri(peer.Url) };

        // A shared file: its bytes without a key, as an attachment with the safe headers, with ranges.
        using (var whole = await anonymous.GetAsync($"/public/files/{file.InfoHash}"))
        {
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal(await File.ReadAllBytesAsync(source), await whole.Content.ReadAsByteArrayAsync());
            Assert.Equal("nosniff", whole.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("sandbox", whole.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("attachment", whole.Content.Headers.ContentDisposition?.DispositionType);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/public/files/{file.InfoHash}"))
        {
            request.Headers.Range = new RangeHeaderValue(10, 19);
            using var partial = await anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal((await File.ReadAllBytesAsync(source)).AsSpan(10, 10).ToArray(), await partial.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(await File.ReadAllBytesAsync(parts[1].Path), await anonymous.GetByteArrayAsync($"/public/files/{tree}/sub/b.bin"));

        // Nothing else: no listing of a folder, no path the torrent does not list, no file this peer does not hold whole.
        foreach (var url in new[]
                 {
                     $"/public/files/{tree}", $"/public/files/{tree}/", $"/public/files/{tree}/sub",
                     $"/public/files/{tree}/sub%2F..%2F..%2F..%2Fapi-key", $"/public/files/{tree}/..%2F..%2Fapi-key", $"/public/files/{new string('b', 40)}",
                 })
        {
            using var refused = await anonymous.GetAsync(url);
            Assert.True(refused.StatusCode == HttpStatusCode.NotFound, $"{url}: {(int)refused.StatusCode}");
        }
        using var otherAnonymous = new HttpClient { BaseAddress = new Uri(other.Url) };
        using (var notHeld = await otherAnonymous.GetAsync($"/public/files/{file.InfoHash}"))
            Assert.Equal(HttpStatusCode.NotFound, notHeld.StatusCode);
        // The API itself still answers its owner only, and the public route changes nothing.
        using (var api = await anonymous.GetAsync($"/api/files/{file.InfoHash}/content"))
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        using (var delete = await anonymous.DeleteAsync($"/public/files/{file.InfoHash}"))
            Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
    }
}
