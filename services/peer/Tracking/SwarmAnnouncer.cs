using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Tracking;

/// <summary>
/// Swarm membership the BitTorrent way: the peer announces to the ring's HTTP tracker like any
/// client (BEP 3, compact peers BEP 23), so our peers and real clients share one swarm per torrent.
/// </summary>
public sealed class SwarmAnnouncer(TrackerConnection tracker, IHttpClientFactory httpClients)
{
    public const string HttpClientName = "announce";

    /// <summary>
    /// Announces to any node (a public call: it carries no secret). No <c>ip=</c> is sent: the tracker takes the
    /// peer's address from the connection (it believes ip= only from trusted proxies).
    /// </summary>
    public async Task<AnnounceReply> AnnounceAsync(Id160 infoHash, ReadOnlyMemory<byte> peerId, int port, long left,
        string? @event, CancellationToken cancellationToken)
    {
        var query = new StringBuilder("/announce?info_hash=").Append(Escape(infoHash.ToByteArray()))
            .Append("&peer_id=").Append(Escape(peerId.Span))
            .Append(CultureInfo.InvariantCulture, $"&port={port}&uploaded=0&downloaded=0&left={left}&compact=1&numwant=200");
        if (@event is not null) query.Append("&event=").Append(@event);
        var path = query.ToString();

        var client = httpClients.CreateClient(HttpClientName);
        return await tracker.CallAsync(async (node, _, ct) => Parse(await client.GetByteArrayAsync(node + path, ct)), cancellationToken);
    }

    /// <summary>
    /// Announces to another HTTP tracker, one a magnet link names (<c>tr=</c>); the same query as to ours. Its
    /// answer is read with the same bounds; an unreachable tracker throws <see cref="HttpRequestException"/>.
    /// </summary>
    public async Task<AnnounceReply> AnnounceToAsync(Uri announceUrl, Id160 infoHash, ReadOnlyMemory<byte> peerId, int port, long left,
        string? @event, CancellationToken cancellationToken)
    {
        var query = new StringBuilder(announceUrl.ToString()).Append(string.IsNullOrEmpty(announceUrl.Query) ? '?' : '&')
            .Append("info_hash=").Append(Escape(infoHash.ToByteArray()))
            .Append("&peer_id=").Append(Escape(peerId.Span))
            .Append(CultureInfo.InvariantCulture, $"&port={port}&uploaded=0&downloaded=0&left={left}&compact=1&numwant=200");
        if (@event is not null) query.Append("&event=").Append(@event);
        var client = httpClients.CreateClient(HttpClientName);
        using var response = await client.GetAsync(query.ToString(), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reply = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (reply.Length + read > MaxForeignReplyBytes) throw new InvalidDataException($"The tracker's answer is longer than {MaxForeignReplyBytes} bytes.");
            reply.Write(chunk, 0, read);
        }
        return Parse(reply.ToArray());
    }

    /// <summary>The longest answer read from a tracker that is not ours (200 peers take 1.2 KB).</summary>
    private const int MaxForeignReplyBytes = 256 * 1024;

    /// <summary>The longest announce interval believed (a day); an interval outside 1 s to this is ignored.</summary>
    private const long MaxIntervalSeconds = 86_400;

    internal static AnnounceReply Parse(byte[] bytes)
    {
        if (BencodeReader.Decode(bytes) is not BDictionary reply)
            throw new InvalidDataException("The tracker's answer is not a dictionary.");
        if (reply.Get<BString>("failure reason") is { } failure)
            return new AnnounceReply([], 0, 0, failure.Text);
        var peers = new List<IPEndPoint>();
        if (reply.Get<BString>("peers") is { } compact)
        {
            var raw = compact.Bytes;
            for (var i = 0; i + 6 <= raw.Length; i += 6)
                peers.Add(new IPEndPoint(new IPAddress(raw.AsSpan(i, 4)), BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(i + 4, 2))));
        }
        if (reply.Get<BString>("peers6") is { } compact6)
        {
            var raw = compact6.Bytes;
            for (var i = 0; i + 18 <= raw.Length; i += 18)
                peers.Add(new IPEndPoint(new IPAddress(raw.AsSpan(i, 16)), BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(i + 16, 2))));
        }
        var interval = reply.Get<BInteger>("interval")?.Value is long seconds and >= 1 and <= MaxIntervalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : (TimeSpan?)null;
        return new AnnounceReply(peers,
            (int)(reply.Get<BInteger>("complete")?.Value ?? 0),
            (int)(reply.Get<BInteger>("incomplete")?.Value ?? 0),
            null,
            interval);
    }

    private static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
                text.Append((char)b);
            else
                text.Append('%').Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
