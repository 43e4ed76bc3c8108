using System.Globalization;
using System.Text;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The 20-byte peer id sent in the handshake, Azureus style: "-DD0001-" and the numeric peer
/// id the tracker assigned, as 12 zero-padded digits (so it is readable in other clients' logs).
/// </summary>
public static class PeerIdentity
{
    public const int Length = 20;
    public const string ClientPrefix = "-DD0001-";

    public static byte[] FromNumber(long peerNumber)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(peerNumber);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(peerNumber, 999_999_999_999L);
        var text = ClientPrefix + peerNumber.ToString("D12", CultureInfo.InvariantCulture);
        return Encoding.ASCII.GetBytes(text);
    }

    /// <summary>Printable form for logs: ASCII kept, other bytes as '.'.</summary>
    public static string Describe(ReadOnlySpan<byte> peerId)
    {
        Span<char> chars = stackalloc char[peerId.Length];
        for (var i = 0; i < peerId.Length; i++) chars[i] = peerId[i] is >= 0x20 and < 0x7F ? (char)peerId[i] : '.';
        return new string(chars);
    }
}
