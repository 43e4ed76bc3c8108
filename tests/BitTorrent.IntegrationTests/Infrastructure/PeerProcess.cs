using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using BitTorrent.Peer.Api;

namespace BitTorrent.IntegrationTests.Infrastructure;

/// <summary>
/// A peer as a real process with its own Storage folder, using a ring's nodes as tracker seeds, its own API key
/// (<c>Peer:ApiKey</c>, sent by <see cref="Http"/>) and the allowed hosts <c>make run</c> gives it.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly int _port;

    private PeerProcess(string storage, int port, Dictionary<string, string> environment, ServiceProcess process)
    {
        Storage = storage;
        _port = port;
        _environment = environment;
        Process = process;
        ApiKey = environment["Peer__ApiKey"];
        Http = new HttpClient { BaseAddress = new Uri(process.Url + "/"), Timeout = TimeSpan.FromMinutes(2) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    /// <summary>The key that controls this peer.</summary>
    public string ApiKey { get; }

    /// <summary>A client for this peer through the gateway (<c>/peers/{id}/</c>), sending its key.</summary>
    public async Task<HttpClient> ThroughGatewayAsync(string gatewayUrl)
    {
        var id = (await MeAsync()).PeerId;
        var http = new HttpClient { BaseAddress = new Uri($"{gatewayUrl.TrimEnd('/')}/peers/{id}/"), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return http;
    }

    public ServiceProcess Process { get; private set; }
    public string Storage { get; }
    public HttpClient Http { get; }
    public string Url => Process.Url;

    public static async Task<PeerProcess> StartAsync(ChordRing ring, string storage, IDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Discovery__Enabled"] = "false",
            ["Peer__StoragePath"] = storage,
            ["Peer__SwarmPollInterval"] = "00:00:01",
            ["Peer__RefreshInterval"] = "00:00:05",
            ["Peer__AnnounceUrl"] = ring.Live.First().Url + "/announce",
            ["Peer__ApiKey"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            ["AllowedHosts"] = "127.0.0.1;localhost",
        };
        var seeds = ring.Live.Select(n => n.Url).ToList();
        for (var i = 0; i < seeds.Count; i++) environment[$"Tracker__Seeds__{i}"] = seeds[i];
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) environment[k] = v;
        var port = ServiceProcess.FreePort();
        var peer = new PeerProcess(storage, port, environment, ServiceProcess.Start("peer", port, [], environment));
        await peer.WaitReadyAsync(ring);
        return peer;
    }

    private async Task WaitReadyAsync(ChordRing ring)
    {
        try
        {
            await ring.WaitReadyAsync(Process);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public void Kill() => Process.Kill();

    /// <summary>
    /// Starts the same peer again (same Storage, same API port), as after a crash: killed (SIGKILL), then
    /// <paramref name="whileStopped"/> (to change its files as a crash or a user might), then started.
    /// </summary>
    public async Task RestartAsync(ChordRing ring, Action? whileStopped = null)
    {
        Process.Kill();
        await Process.DisposeAsync();
        whileStopped?.Invoke();
        Process = ServiceProcess.Start("peer", _port, [], _environment);
        await ring.WaitReadyAsync(Process);
    }

    public async Task<MeView> MeAsync() => (await Http.GetFromJsonAsync<MeView>("api/me", ChordRing.Json))!;

    public async Task<FileView> PublishAsync(string path, string? uploadName = null)
    {
        using var response = await PostFileAsync(path, uploadName);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"publish: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<FileView>(ChordRing.Json))!;
    }

    public async Task<HttpResponseMessage> PostFileAsync(string path, string? uploadName = null)
    {
        using var form = new MultipartFormDataContent();
        var content = new StreamContent(File.OpenRead(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", uploadName ?? Path.GetFileName(path));
        return await Http.PostAsync("api/files", form);
    }

    /// <summary>Publishes files as a folder: each part named by its relative path, as a browser sends a picked folder.</summary>
    public async Task<HttpResponseMessage> PostFolderAsync(IEnumerable<(string Path, string RelativePath)> files, string? name = null)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (path, relative) in files)
        {
            var content = new StreamContent(File.OpenRead(path));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "file", relative);
        }
        if (name is not null) form.Add(new StringContent(name), "name");
        return await Http.PostAsync("api/files", form);
    }

    public async Task<FileDetailsView> FileDetailsAsync(string infoHash) =>
        (await Http.GetFromJsonAsync<FileDetailsView>($"api/files/{infoHash}", ChordRing.Json))!;

    /// <summary>SHA-256 of the bytes the API serves at a relative url (a file's content url).</summary>
    public async Task<string> Sha256Async(string url)
    {
        await using var stream = await Http.GetStreamAsync(url);
        return Convert.ToHexString(await SHA256.HashDataAsync(stream));
    }

    public Task<HttpResponseMessage> StartDownloadAsync(string infoHash) =>
        Http.PostAsJsonAsync("api/downloads", new { infoHash });

    /// <summary>One download in detail (its peers, pieces and piece sources too).</summary>
    public async Task<DownloadDetailsView> DownloadAsync(string infoHash) =>
        (await Http.GetFromJsonAsync<DownloadDetailsView>($"api/downloads/{infoHash}", ChordRing.Json))!;

    public async Task<DownloadDetailsView> WaitForStateAsync(string infoHash, string state, TimeSpan? timeout = null)
    {
        DownloadDetailsView? last = null;
        await Eventually.TrueAsync(async () =>
        {
            last = await DownloadAsync(infoHash);
            if (last.State == "failed" && state != "failed") throw new InvalidOperationException($"download failed: {last.Error}");
            return last.State == state;
        }, timeout ?? TimeSpan.FromSeconds(60), () => $"the download did not reach '{state}' (last: {last?.State} {last?.Progress:P0})");
        return last!;
    }

    public async Task<string> ContentSha256Async(string infoHash)
    {
        await using var stream = await Http.GetStreamAsync($"api/files/{infoHash}/content");
        return Convert.ToHexString(await SHA256.HashDataAsync(stream));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }
}
