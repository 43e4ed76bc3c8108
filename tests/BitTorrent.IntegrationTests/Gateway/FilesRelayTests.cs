using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Gateway;

/// <summary>The gateway's <c>/files/{infoHash}</c>: any published file over plain HTTP, streamed from a live seeder, no key.</summary>
public sealed class FilesRelayTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Gateway_serves_a_published_file_whole_and_in_ranges_without_a_key_as_a_safe_attachment_and_503_once_its_seeder_is_gone()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        var source = folder.RandomFile("page.html", 1024 * 1024 + 77, seed: 51);
        var bytes = await File.ReadAllBytesAsync(source);
        var file = await peer.PublishAsync(source);
        var parts = new[] { (Path: folder.RandomFile("a", 300_001, seed: 52), Relative: "album/a.bin"), (Path: folder.RandomFile("b", 70_000, seed: 53), Relative: "album/sub/b.bin") };
        using var posted = await peer.PostFolderAsync(parts);
        posted.EnsureSuccessStatusCode();
        var album = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("infoHash").GetString()!;
        using var gateway = new HttpClient { BaseAddress = new Uri(gatewayProcess.Url), Timeout = TimeSpan.FromMinutes(1) }; // no key anywhere

        // The whole file: the same bytes, never rendered on the gateway's origin (HTML goes out as an attachment).
        using (var whole = await gateway.GetAsync($"/files/{file.InfoHash}"))
        {
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)), Convert.ToHexString(SHA256.HashData(await whole.Content.ReadAsByteArrayAsync())));
            Assert.Equal("nosniff", whole.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("sandbox", whole.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("attachment", whole.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        }

        // A range, also by the BEP 19 url (the name appended), and a range past the end.
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/files/{file.InfoHash}/page.html"))
        {
            request.Headers.Range = new RangeHeaderValue(500_000, 599_999);
            using var partial = await gateway.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal($"bytes 500000-599999/{bytes.Length}", partial.Content.Headers.ContentRange?.ToString());
            Assert.Equal(bytes.AsSpan(500_000, 100_000).ToArray(), await partial.Content.ReadAsByteArrayAsync());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/files/{file.InfoHash}"))
        {
            request.Headers.Range = new RangeHeaderValue(bytes.Length, null);
            using var beyond = await gateway.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
            Assert.Equal($"bytes */{bytes.Length}", beyond.Content.Headers.ContentRange?.ToString());
        }
        using (var head = await gateway.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/files/{file.InfoHash}")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
        }

        // A folder's file, by its path with or without the folder's name; the folder itself is not listed.
        var b = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(parts[1].Path)));
        Assert.Equal(b, Convert.ToHexString(SHA256.HashData(await gateway.GetByteArrayAsync($"/files/{album}/album/sub/b.bin"))));
        Assert.Equal(b, Convert.ToHexString(SHA256.HashData(await gateway.GetByteArrayAsync($"/files/{album}/sub/b.bin"))));
        await AssertProblemAsync(gateway, $"/files/{album}", HttpStatusCode.NotFound);
        await AssertProblemAsync(gateway, $"/files/{album}/album/nothing.bin", HttpStatusCode.NotFound);
        await AssertProblemAsync(gateway, $"/files/{new string('a', 40)}", HttpStatusCode.NotFound);
        await AssertProblemAsync(gateway, "/files/not-a-hash", HttpStatusCode.BadRequest);

        // With its only seeder gone the file is known but unavailable.
        peer.Kill();
        await AssertProblemAsync(gateway, $"/files/{file.InfoHash}", HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Gateway_download_completes_with_the_right_bytes_when_the_seeder_serving_it_is_killed_mid_response()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        await using var gatewayProcess = await GatewayProcess.StartAsync(ring);
        // The upload cap holds both seeders to ~400 KB/s, so a 3 MiB response takes seconds and the kill lands inside it.
        var slow = new Dictionary<string, string> { ["Transfer__UploadRateLimit"] = "400000" };
        await using var first = await PeerProcess.StartAsync(ring, folder.Sub("peer-1"), slow);
        await using var second = await PeerProcess.StartAsync(ring, folder.Sub("peer-2"), slow);
        var source = folder.RandomFile("failover.bin", 3L * 1024 * 1024 + 5, seed: 54);
        var file = await first.PublishAsync(source);
        (await second.StartDownloadAsync(file.InfoHash)).EnsureSuccessStatusCode();
        await second.WaitForStateAsync(file.InfoHash, "completed", TimeSpan.FromSeconds(90));
        using var gateway = new HttpClient { BaseAddress = new Uri(gatewayProcess.Url), Timeout = TimeSpan.FromMinutes(2) };
        await Eventually.TrueAsync(async () =>
                JsonDocument.Parse(await gateway.GetStringAsync($"/api/tracker/files/{file.InfoHash}")).RootElement.GetProperty("seeders").GetInt32() == 2,
            TimeSpan.FromSeconds(30), "the tracker did not list both seeders");

        using var response = await gateway.GetAsync($"/files/{file.InfoHash}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reading = Task.Run(async () =>
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            return Convert.ToHexString(await SHA256.HashDataAsync(body));
        });
        var marker = $"Public GET of {file.InfoHash}";
        PeerProcess? serving = null;
        await Eventually.TrueAsync(() =>
        {
            serving = first.Process.Log.Contains(marker, StringComparison.Ordinal) ? first : second.Process.Log.Contains(marker, StringComparison.Ordinal) ? second : null;
            return Task.FromResult(serving is not null);
        }, TimeSpan.FromSeconds(10), "no seeder was asked for the file");
        var other = serving == first ? second : first;
        Assert.False(reading.IsCompleted, "the response finished before the seeder could be killed");
        serving!.Kill();

        Assert.Equal(TempFolder.Sha256(source), await reading);
        // The other seeder carried on from where the first stopped (a range that starts past zero), not from the start.
        var starts = Regex.Matches(other.Process.Log, $"Public GET of {file.InfoHash}, Range bytes=(\\d+)-").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        output.WriteLine($"the other seeder was asked from bytes {string.Join(", ", starts)}");
        Assert.Contains(starts, start => start > 0);
    }

    private static async Task AssertProblemAsync(HttpClient client, string url, HttpStatusCode status)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
