using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Shared.Tracker;

/// <summary>
/// Where a swarm lives on the ring: the DHT key <c>swarm/{infoHash}</c> and its ring id (SHA-1 of the key).
/// The chord node stores swarms under this key, and the gateway sends a torrent's announces straight to the
/// successor of this id, so both must compute it the same way: here, in one place.
/// </summary>
public static class SwarmKey
{
    /// <summary>What every swarm key starts with.</summary>
    public const string Prefix = "swarm/";

    /// <summary>The DHT key of a torrent's swarm: "swarm/" and the info-hash in lower-case hex.</summary>
    public static string Of(Id160 infoHash) => string.Create(Prefix.Length + 2 * Id160.ByteLength, infoHash, static (span, id) =>
    {
        Prefix.CopyTo(span);
        id.TryFormat(span[Prefix.Length..], out _, default, null);
    });

    /// <summary>The ring id of a torrent's swarm key, without allocating the key.</summary>
    public static Id160 RingId(Id160 infoHash)
    {
        Span<char> key = stackalloc char[Prefix.Length + 2 * Id160.ByteLength];
        Prefix.CopyTo(key);
        infoHash.TryFormat(key[Prefix.Length..], out _, default, null);
        Span<byte> utf8 = stackalloc byte[key.Length];
        for (var i = 0; i < key.Length; i++) utf8[i] = (byte)key[i]; // ASCII
        return Id160.Hash(utf8);
    }

    /// <summary>The first info_hash of an announce or scrape query (still percent-encoded), if it has a valid one.</summary>
    public static bool TryFindInfoHash(ReadOnlySpan<char> query, out Id160 infoHash)
    {
        foreach (var (key, value) in new QueryPairs(query))
            if (key.SequenceEqual("info_hash")) return QueryPairs.TryDecodeId(value, out infoHash);
        infoHash = default;
        return false;
    }
}
