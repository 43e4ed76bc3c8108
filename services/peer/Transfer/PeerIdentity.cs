using System.Text;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The 20-byte peer id sent in handshakes and announces, Azureus style: the client prefix
/// "-DD0100-" and 12 random bytes, new at every start (as real clients do), so it says which
/// client this is and nothing about who runs it. An id, not a secret: the shared random generator
/// (seeded from the OS) serves, and the crypto library is loaded only when the peer first hashes.
/// </summary>
public static class PeerIdentity
{
    public const int Length = 20;
    public const string ClientPrefix = "-DD0100-";

    public static byte[] Create()
    {
        var id = new byte[Length];
        Encoding.ASCII.GetBytes(ClientPrefix, id);
        Random.Shared.NextBytes(id.AsSpan(ClientPrefix.Length));
        return id;
    }

    /// <summary>Printable form for logs: ASCII kept, other bytes as '.'.</summary>
    public static string Describe(ReadOnlySpan<byte> peerId)
    {
        Span<char> chars = stackalloc char[peerId.Length];
        for (var i = 0; i < peerId.Length; i++) chars[i] = peerId[i] is >= 0x20 and < 0x7F ? (char)peerId[i] : '.';
        return new string(chars);
    }

    /// <summary>A lossless key for comparing peer ids (one char per byte).</summary>
    public static string Key(ReadOnlySpan<byte> peerId) => Encoding.Latin1.GetString(peerId);
}
