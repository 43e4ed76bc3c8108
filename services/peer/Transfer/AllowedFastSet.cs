using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// BEP 6's canonical allowed-fast set: the pieces a peer may fetch from us while we choke it, derived from its
/// IPv4 /24 and the info-hash, so a peer cannot collect more by reconnecting or from its neighbours' addresses.
/// x = (ip &amp; 0xFFFFFF00) ++ info-hash; repeat x = SHA-1(x) and take its five big-endian words mod the piece
/// count as pieces, skipping repeats, until there are k.
/// </summary>
public static class AllowedFastSet
{
    /// <summary>The set size we grant (BEP 6 leaves k to the client; 10 is what it suggests).</summary>
    public const int Size = 10;

    /// <summary>
    /// Writes the first min(k, piece count) pieces of the set into <paramref name="destination"/> and returns how many.
    /// Only IPv4 addresses (or IPv4 mapped into IPv6) have a set; any other address gets none. Allocates nothing.
    /// </summary>
    public static int Compute(IPAddress address, Id160 infoHash, int pieceCount, int k, Span<int> destination)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetwork || pieceCount <= 0) return 0;
        k = Math.Min(Math.Min(k, pieceCount), destination.Length);
        Span<byte> x = stackalloc byte[4 + Id160.ByteLength];
        if (!address.TryWriteBytes(x, out _)) return 0;
        x[3] = 0; // the /24: a peer's neighbours share its set
        infoHash.WriteBigEndian(x[4..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        Span<byte> next = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(x, hash);
        var count = 0;
        while (true)
        {
            for (var i = 0; i < 5 && count < k; i++)
            {
                var index = (int)(BinaryPrimitives.ReadUInt32BigEndian(hash[(i * 4)..]) % (uint)pieceCount);
                if (!destination[..count].Contains(index)) destination[count++] = index;
            }
            if (count == k) return count;
            SHA1.HashData(hash, next);
            next.CopyTo(hash);
        }
    }
}
