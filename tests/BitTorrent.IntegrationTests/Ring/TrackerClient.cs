using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.IntegrationTests.Ring;

/// <summary>The tracker API of a ring node as a user's tools call it: publish, catalog, .torrent, peer registration.</summary>
public sealed class TrackerClient(HttpClient http)
{
    /// <summary>Real single-file .torrent bytes with random piece hashes.</summary>
    public static byte[] Torrent(string name, long length = 100_000)
    {
        const long pieceLength = 16384;
        var hashes = new byte[(int)((length + pieceLength - 1) / pieceLength) * 20];
        RandomNumberGenerator.Fill(hashes);
        var info = new BDictionary
        {
            { "length", new BInteger(length) },
            { "name", new BString(name) },
            { "piece length", new BInteger(pieceLength) },
            { "pieces", new BString(hashes) },
        };
        return new BDictionary { { "announce", new BString("http://127.0.0.1/announce") }, { "info", info } }.Encode();
    }

    public async Task<PublishedTorrent> PublishAsync(ServiceProcess via, byte[] torrent, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(torrent);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-bittorrent");
        using var response = await http.PostAsync($"{via.Url}/api/tracker/files", content, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PublishedTorrent>(ChordRing.Json, cancellationToken))!;
    }

    public async Task<List<TrackerFileSummary>> CatalogAsync(ServiceProcess via) =>
        (await http.GetFromJsonAsync<List<TrackerFileSummary>>($"{via.Url}/api/tracker/files", ChordRing.Json))!;

    public async Task<byte[]?> TorrentAsync(ServiceProcess via, string infoHash)
    {
        using var response = await http.GetAsync($"{via.Url}/api/tracker/files/{infoHash}/torrent");
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    public async Task<PeerInfo> RegisterAsync(ServiceProcess via, int transferPort, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync($"{via.Url}/api/tracker/peers",
            new PeerRegistration("127.0.0.1", transferPort, $"http://127.0.0.1:{transferPort}"), ChordRing.Json, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PeerInfo>(ChordRing.Json, cancellationToken))!;
    }

    public async Task<List<PeerInfo>> PeersAsync(ServiceProcess via) =>
        (await http.GetFromJsonAsync<List<PeerInfo>>($"{via.Url}/api/tracker/peers", ChordRing.Json))!;

    public async Task<PeerInfo?> PeerAsync(ServiceProcess via, long peerId)
    {
        using var response = await http.GetAsync($"{via.Url}/api/tracker/peers/{peerId}");
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<PeerInfo>(ChordRing.Json);
    }
}
