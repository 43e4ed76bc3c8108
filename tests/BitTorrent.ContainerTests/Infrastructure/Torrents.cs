using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BitTorrent.Shared.Bencode;

namespace BitTorrent.ContainerTests.Infrastructure;

/// <summary>A single-file BEP 3 torrent built here with the shared bencode writer.</summary>
public sealed record TestTorrent(string Name, byte[] Bytes, string InfoHash, byte[] InfoHashBytes)
{
    public const int PieceLength = 16 * 1024;

    public static TestTorrent Create(string name, int length, string announce)
    {
        var content = new byte[length];
        new Random(name.GetHashCode(StringComparison.Ordinal)).NextBytes(content);
        var pieces = new byte[(length + PieceLength - 1) / PieceLength * 20];
        for (var i = 0; i * PieceLength < length; i++)
        {
            var piece = content.AsSpan(i * PieceLength, Math.Min(PieceLength, length - i * PieceLength));
            SHA1.HashData(piece, pieces.AsSpan(i * 20, 20));
        }
        var info = new BDictionary
        {
            { "length", new BInteger(length) },
            { "name", new BString(name) },
            { "piece length", new BInteger(PieceLength) },
            { "pieces", new BString(pieces) },
        };
        var torrent = new BDictionary
        {
            { "announce", new BString(announce) },
            { "created by", new BString("BitTorrent.ContainerTests") },
            { "info", info },
        };
        var infoHash = SHA1.HashData(info.Encode());
        return new TestTorrent(name, torrent.Encode(), Convert.ToHexStringLower(infoHash), infoHash);
    }

    /// <summary>POST /api/tracker/files with the raw .torrent; returns the info-hash the tracker answers.</summary>
    public async Task<string> PublishAsync(ServiceContainer via)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, via.Endpoint("/api/tracker/files"))
        {
            Content = new ByteArrayContent(Bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-bittorrent") } },
        };
        using var response = await via.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"publish {Name}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("infoHash").GetString()!;
    }

    /// <summary>A BEP 3 announce through <paramref name="via"/>; returns the bencoded answer (a failure reason throws).</summary>
    public async Task<BDictionary> AnnounceAsync(ServiceContainer via, string peerId, int port, bool seeder)
    {
        var query = new StringBuilder("/announce?info_hash=").Append(Escape(InfoHashBytes))
            .Append("&peer_id=").Append(Escape(Encoding.ASCII.GetBytes(peerId.PadRight(20, '0')[..20])))
            .Append("&port=").Append(port)
            .Append("&uploaded=0&downloaded=0&left=").Append(seeder ? 0 : 1)
            .Append("&event=started&compact=1");
        var answer = (BDictionary)BencodeReader.Decode(await via.GetBytesAsync(query.ToString()));
        if (answer.Get<BString>("failure reason") is { } failure) throw new InvalidOperationException($"announce failed: {failure.Text}");
        return answer;
    }

    private static string Escape(byte[] bytes) => string.Concat(bytes.Select(b => $"%{b:X2}"));
}
