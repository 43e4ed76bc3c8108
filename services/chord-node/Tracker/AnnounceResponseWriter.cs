using System.Buffers;
using System.Globalization;
using System.Text;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>The outcome of an announce: swarm counts and the peers chosen for the requester.</summary>
public sealed class AnnounceResult
{
    public required int Complete { get; init; }
    public required int Incomplete { get; init; }
    public required int Interval { get; init; }
    public required int MinInterval { get; init; }
    public required IReadOnlyList<SwarmEntry> Peers { get; init; }

    /// <summary>Why the announce was refused (written as a failure reason), or null.</summary>
    public string? Failure { get; init; }

    public static AnnounceResult Failed(string reason, int interval) => new()
    {
        Complete = 0,
        Incomplete = 0,
        Interval = interval,
        MinInterval = interval,
        Peers = [],
        Failure = reason,
    };
}

/// <summary>
/// Writes tracker responses as canonical bencode straight into the response buffer: announce (BEP 3,
/// compact BEP 23 with IPv6 peers in "peers6" as BEP 7), scrape (BEP 48) and failures.
/// </summary>
public static class AnnounceResponseWriter
{
    public const string ContentType = "text/plain";

    public static void WriteFailure(IBufferWriter<byte> output, string reason)
    {
        Raw(output, "d14:failure reason"u8);
        String(output, Encoding.UTF8.GetBytes(reason));
        Raw(output, "e"u8);
    }

    public static void WriteAnnounce(IBufferWriter<byte> output, AnnounceResult result, bool compact, bool noPeerId)
    {
        // Keys in raw byte order: complete, incomplete, interval, min interval, peers, peers6.
        Raw(output, "d8:completei"u8);
        Number(output, result.Complete);
        Raw(output, "e10:incompletei"u8);
        Number(output, result.Incomplete);
        Raw(output, "e8:intervali"u8);
        Number(output, result.Interval);
        Raw(output, "e12:min intervali"u8);
        Number(output, result.MinInterval);
        Raw(output, "e5:peers"u8);
        if (compact) WriteCompactPeers(output, result.Peers);
        else WritePeerDictionaries(output, result.Peers, noPeerId);
        Raw(output, "e"u8);
    }

    public static void WriteScrape(IBufferWriter<byte> output, IReadOnlyList<ScrapeEntry> files)
    {
        Raw(output, "d5:filesd"u8);
        // Keys of "files" are the raw 20-byte info-hashes, in byte order.
        Span<byte> hash = stackalloc byte[20];
        foreach (var file in files.OrderBy(f => f.InfoHash))
        {
            file.InfoHash.WriteBigEndian(hash);
            String(output, hash);
            Raw(output, "d8:completei"u8);
            Number(output, file.Complete);
            Raw(output, "e10:downloadedi"u8);
            Number(output, file.Downloaded);
            Raw(output, "e10:incompletei"u8);
            Number(output, file.Incomplete);
            Raw(output, "ee"u8);
        }
        Raw(output, "ee"u8);
    }

    private static void WriteCompactPeers(IBufferWriter<byte> output, IReadOnlyList<SwarmEntry> peers)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(peers.Count * 18);
        try
        {
            // IPv4 entries (6 bytes) fill the buffer from the front, IPv6 entries (18 bytes) from the back.
            int v4 = 0, v6End = buffer.Length, v6 = v6End;
            foreach (var peer in peers)
            {
                var address = peer.AddressBytes();
                if (address.Length == 4)
                {
                    address.CopyTo(buffer.AsSpan(v4, 4));
                    buffer[v4 + 4] = (byte)(peer.Port >> 8);
                    buffer[v4 + 5] = (byte)peer.Port;
                    v4 += 6;
                }
                else if (address.Length == 16)
                {
                    v6 -= 18;
                    address.CopyTo(buffer.AsSpan(v6, 16));
                    buffer[v6 + 16] = (byte)(peer.Port >> 8);
                    buffer[v6 + 17] = (byte)peer.Port;
                }
            }
            String(output, buffer.AsSpan(0, v4));
            if (v6 != v6End)
            {
                Raw(output, "6:peers6"u8);
                String(output, buffer.AsSpan(v6, v6End - v6));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WritePeerDictionaries(IBufferWriter<byte> output, IReadOnlyList<SwarmEntry> peers, bool noPeerId)
    {
        Span<byte> peerId = stackalloc byte[20];
        Raw(output, "l"u8);
        foreach (var peer in peers)
        {
            // Keys in order: ip, peer id, port.
            Raw(output, "d2:ip"u8);
            String(output, Encoding.ASCII.GetBytes(peer.Host));
            if (!noPeerId)
            {
                Raw(output, "7:peer id"u8);
                // Announced clients are stored by their 20-byte peer_id in hex; REST-joined peers by their numeric id.
                if (peer.PeerId.Length == 40 && Convert.FromHexString(peer.PeerId, peerId, out _, out var written) == OperationStatus.Done && written == 20)
                    String(output, peerId);
                else
                    String(output, Encoding.UTF8.GetBytes(peer.PeerId));
            }
            Raw(output, "4:porti"u8);
            Number(output, peer.Port);
            Raw(output, "ee"u8);
        }
        Raw(output, "e"u8);
    }

    private static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private static void String(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        Number(output, bytes.Length);
        Raw(output, ":"u8);
        output.Write(bytes);
    }

    private static void Number(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }
}

/// <summary>One file's line in a scrape.</summary>
public readonly record struct ScrapeEntry(BitTorrent.Shared.Identifiers.Id160 InfoHash, int Complete, int Incomplete, int Downloaded);
