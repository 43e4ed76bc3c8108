using System.Diagnostics.CodeAnalysis;
using System.Net;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Tracker;

namespace BitTorrent.ChordNode.Tracker;

public enum AnnounceEvent
{
    None,
    Started,
    Completed,
    Stopped,
}

/// <summary>A parsed BEP 3 announce (with BEP 23's compact flag).</summary>
public readonly record struct AnnounceRequest(
    Id160 InfoHash,
    Id160 PeerId,
    int Port,
    long Uploaded,
    long Downloaded,
    long Left,
    AnnounceEvent Event,
    int NumWant,
    bool Compact,
    bool NoPeerId,
    IPAddress? Ip)
{
    /// <summary>Left = 0 or a "completed" event: the peer has the whole file.</summary>
    public bool IsSeeder => Left == 0 || Event == AnnounceEvent.Completed;

    /// <summary>
    /// Parses the raw (still percent-encoded) query string, with or without its leading '?'. info_hash
    /// and peer_id are binary, so they are decoded here byte by byte rather than as text.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> query, int defaultNumWant, int maxNumWant,
        out AnnounceRequest request, [NotNullWhen(false)] out string? failure)
    {
        request = default;
        Id160? infoHash = null, peerId = null;
        int? port = null;
        long uploaded = 0, downloaded = 0, left = -1;
        var announceEvent = AnnounceEvent.None;
        var numWant = defaultNumWant;
        var compact = true;
        var noPeerId = false;
        IPAddress? ip = null;
        Span<byte> value = stackalloc byte[64];

        foreach (var (key, rawValue) in new QueryPairs(query))
        {
            switch (key)
            {
                case "info_hash":
                    if (!QueryPairs.TryDecodeId(rawValue, out var hash)) return Fail("info_hash must be 20 bytes", out request, out failure);
                    infoHash = hash;
                    break;
                case "peer_id":
                    if (!QueryPairs.TryDecodeId(rawValue, out var peer)) return Fail("peer_id must be 20 bytes", out request, out failure);
                    peerId = peer;
                    break;
                case "port":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out var p) || p is < 1 or > 65535)
                        return Fail("port must be a number from 1 to 65535", out request, out failure);
                    port = (int)p;
                    break;
                case "uploaded":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out uploaded)) return Fail("uploaded must be a non-negative number", out request, out failure);
                    break;
                case "downloaded":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out downloaded)) return Fail("downloaded must be a non-negative number", out request, out failure);
                    break;
                case "left":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out left)) return Fail("left must be a non-negative number", out request, out failure);
                    break;
                case "numwant":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out var n)) return Fail("numwant must be a non-negative number", out request, out failure);
                    numWant = (int)Math.Min(n, maxNumWant);
                    break;
                case "compact":
                    if (!QueryPairs.TryDecodeNumber(rawValue, value, out var c) || c > 1) return Fail("compact must be 0 or 1", out request, out failure);
                    compact = c == 1;
                    break;
                case "no_peer_id":
                    noPeerId = QueryPairs.TryDecodeNumber(rawValue, value, out var np) && np == 1;
                    break;
                case "event":
                    if (!QueryPairs.TryDecode(rawValue, value, out var eventLength)) return Fail("unknown event", out request, out failure);
                    announceEvent = value[..eventLength] switch
                    {
                        [] => AnnounceEvent.None,
                        var e when e.SequenceEqual("empty"u8) => AnnounceEvent.None,
                        var e when e.SequenceEqual("started"u8) => AnnounceEvent.Started,
                        var e when e.SequenceEqual("completed"u8) => AnnounceEvent.Completed,
                        var e when e.SequenceEqual("stopped"u8) => AnnounceEvent.Stopped,
                        _ => (AnnounceEvent)(-1),
                    };
                    if (announceEvent < 0) return Fail("unknown event", out request, out failure);
                    break;
                case "ip":
                    // Only an IP literal is usable (compact peers are addresses); anything else falls back to the connection's address.
                    if (QueryPairs.TryDecode(rawValue, value, out var ipLength)
                        && IPAddress.TryParse(System.Text.Encoding.ASCII.GetString(value[..ipLength]), out var parsed))
                        ip = parsed;
                    break;
            }
        }

        if (infoHash is null) return Fail("missing info_hash", out request, out failure);
        if (peerId is null) return Fail("missing peer_id", out request, out failure);
        if (port is null) return Fail("missing port", out request, out failure);

        request = new AnnounceRequest(infoHash.Value, peerId.Value, port.Value, uploaded, downloaded, left,
            announceEvent, numWant, compact, noPeerId, ip);
        failure = null;
        return true;
    }

    private static bool Fail(string message, out AnnounceRequest request, out string failure)
    {
        request = default;
        failure = message;
        return false;
    }
}
