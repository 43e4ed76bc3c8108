using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace BitTorrent.ContainerTests.Infrastructure;

/// <summary>A peer's REST API as a user reaches it through the gateway (<c>/peers/{id}/...</c>).</summary>
public static class PeerApi
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The API key every peer of a test gets (<c>Peer__ApiKey</c> in its environment, or the chart's
    /// <c>peers.extraEnv</c>), random per test run; <see cref="Http"/> sends it.
    /// </summary>
    public static readonly string Key = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>A client that sends <see cref="Key"/> with every request.</summary>
    public static readonly HttpClient Http = NewClient();

    private static HttpClient NewClient()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return http;
    }

    /// <summary>The peer id the tracker gave the peer at <paramref name="peerUrl"/> (its own GET /api/me).</summary>
    public static async Task<long> PeerIdAsync(Uri peerUrl)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri(peerUrl, "/api/me")));
        return document.RootElement.GetProperty("peerId").GetInt64();
    }

    /// <summary>Uploads <paramref name="content"/> as a new file on the peer; returns its info-hash.</summary>
    public static async Task<string> PublishAsync(Uri gateway, long peerId, string name, byte[] content)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", name);
        using var response = await Http.PostAsync(new Uri(gateway, $"/peers/{peerId}/api/files"), form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"publish on peer {peerId}: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("infoHash").GetString()!;
    }

    /// <summary>Starts the download on the peer (retrying while the swarm is not known yet) and waits until it completes.</summary>
    public static async Task DownloadAsync(Uri gateway, long peerId, string infoHash)
    {
        // The publisher's announce may take a moment to reach the swarm: "not available" until then.
        await Eventually.SucceedsAsync(async () =>
        {
            using var start = await Http.PostAsJsonAsync(new Uri(gateway, $"/peers/{peerId}/api/downloads"), new { infoHash });
            return start.StatusCode == HttpStatusCode.Accepted ? null : $"{(int)start.StatusCode} {await start.Content.ReadAsStringAsync()}";
        }, Timeout, $"peer {peerId} starts the download");
        await WaitCompletedAsync(gateway, peerId, infoHash);
    }

    /// <summary>Starts the download once; the caller expects 202 Accepted.</summary>
    public static Task<HttpResponseMessage> StartDownloadAsync(Uri gateway, long peerId, string infoHash) =>
        Http.PostAsJsonAsync(new Uri(gateway, $"/peers/{peerId}/api/downloads"), new { infoHash });

    public static Task WaitCompletedAsync(Uri gateway, long peerId, string infoHash) =>
        Eventually.SucceedsAsync(async () =>
        {
            var download = await GetJsonAsync(new Uri(gateway, $"/peers/{peerId}/api/downloads/{infoHash}"));
            var state = download.GetProperty("state").GetString();
            if (state == "failed") throw new InvalidOperationException($"the download failed: {download}");
            return state == "completed" ? null : $"{state} {download.GetProperty("progress").GetDouble():P0}";
        }, Timeout, $"peer {peerId} completes the download");

    /// <summary>The downloaded (or published) file's bytes, as the peer serves them.</summary>
    public static Task<byte[]> ContentAsync(Uri gateway, long peerId, string infoHash) =>
        Http.GetByteArrayAsync(new Uri(gateway, $"/peers/{peerId}/api/files/{infoHash}/content"));

    public static async Task<JsonElement> GetJsonAsync(Uri url)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync(url));
        return document.RootElement.Clone();
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
