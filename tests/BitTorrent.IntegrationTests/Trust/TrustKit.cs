using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using BitTorrent.ChordNode.Storage;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.IntegrationTests.Trust;

/// <summary>What the hostile scenarios share: clients with a chosen source address, announces, reading swarms and peer.json.</summary>
internal static class TrustKit
{
    /// <summary>
    /// An HTTP client whose connections leave from <paramref name="source"/> (another 127.x address on the loopback),
    /// so a node sees a different client address for each actor of a scenario.
    /// </summary>
    public static HttpClient BoundClient(string source, string? baseUrl = null) =>
        new(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            Expect100ContinueTimeout = TimeSpan.FromMinutes(1), // a request that asks for the go-ahead waits for the server's answer
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                    var target = (await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, AddressFamily.InterNetwork, cancellationToken))[0];
                    await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = baseUrl is null ? null : new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };

    public static string Escape(Id160 id) =>
        string.Concat(id.ToByteArray().Select(b => "%" + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    public static string AnnounceQuery(Id160 infoHash, string peer, int port, string? @event = null, string extra = "", long left = 100) =>
        $"/announce?info_hash={Escape(infoHash)}&peer_id={Escape(Id160.Hash(peer))}&port={port}&uploaded=0&downloaded=0&left={left}&compact=1{extra}"
        + (@event is null ? "" : "&event=" + @event);

    public static async Task<BDictionary> AnnounceAsync(HttpClient http, string baseUrl, Id160 infoHash, string peer, int port,
        string? @event = null, string extra = "", IDictionary<string, string>? headers = null, long left = 100)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + AnnounceQuery(infoHash, peer, port, @event, extra, left));
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await http.SendAsync(request);
        return (BDictionary)BencodeReader.Decode(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The swarm's live entries as the store holds them (ring RPC, with the ring secret): host:port per peer_id.</summary>
    public static async Task<List<(string PeerId, string Host, int Port)>> SwarmAsync(ChordRing ring, Id160 infoHash)
    {
        var result = await ring.ExecuteAsync(ring.Live.First(), new DhtOperation($"swarm/{infoHash}", DhtOperationKind.GetSet));
        return [.. (result.Members ?? []).Select(m =>
        {
            using var entry = JsonDocument.Parse(m.Value);
            var root = entry.RootElement;
            return (root.GetProperty("peerId").GetString()!, root.GetProperty("host").GetString()!, root.GetProperty("port").GetInt32());
        }).OrderBy(e => e.Item2, StringComparer.Ordinal).ThenBy(e => e.Item3)];
    }

    /// <summary>The token a peer keeps in its Storage's peer.json.</summary>
    public static string PeerToken(string storage)
    {
        using var identity = JsonDocument.Parse(File.ReadAllText(Path.Combine(storage, "peer.json")));
        return identity.RootElement.GetProperty("token").GetString()!;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
