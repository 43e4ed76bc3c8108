using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The 68-byte BEP 3 handshake: 19, "BitTorrent protocol", 8 reserved bytes, info-hash, peer id.
/// We set BEP 10's extension protocol bit (0x10 in reserved byte 5), so peers that set it too exchange an
/// extension handshake with us (see <see cref="ExtensionHandshake"/>), and, unless switched off, BEP 6's fast
/// extension bit (0x04 in reserved byte 7): a connection speaks the fast extension only when both sides set it.
/// </summary>
public static class Handshake
{
    public const int Length = 68;
    private static ReadOnlySpan<byte> Protocol => "\u0013BitTorrent protocol"u8;

    /// <summary>Where BEP 10's bit sits: reserved byte 5 (byte 25 of the handshake), value 0x10.</summary>
    private const int ExtensionByte = 20 + 5;
    private const byte ExtensionBit = 0x10;

    /// <summary>Where BEP 6's bit sits: reserved byte 7 (byte 27 of the handshake), value 0x04.</summary>
    private const int FastByte = 20 + 7;
    private const byte FastBit = 0x04;

    public static int Write(Span<byte> destination, Id160 infoHash, ReadOnlySpan<byte> peerId, bool fastExtension = false)
    {
        if (peerId.Length != PeerIdentity.Length) throw new ArgumentException("A peer id is 20 bytes.", nameof(peerId));
        Protocol.CopyTo(destination);
        destination.Slice(20, 8).Clear();
        destination[ExtensionByte] = ExtensionBit;
        if (fastExtension) destination[FastByte] = FastBit;
        infoHash.WriteBigEndian(destination.Slice(28, Id160.ByteLength));
        peerId.CopyTo(destination[48..]);
        return Length;
    }

    /// <summary>
    /// Reads a handshake from the start of <paramref name="buffer"/>. Garbage is detected from the
    /// first bytes, so a peer speaking another protocol is dropped without waiting for 68 bytes.
    /// </summary>
    public static ParseStatus TryRead(ReadOnlySpan<byte> buffer, out Id160 infoHash, out ReadOnlySpan<byte> peerId)
    {
        infoHash = default;
        peerId = default;
        var prefix = Math.Min(buffer.Length, Protocol.Length);
        if (!buffer[..prefix].SequenceEqual(Protocol[..prefix])) return ParseStatus.Malformed;
        if (buffer.Length < Length) return ParseStatus.NeedMoreData;
        infoHash = new Id160(buffer.Slice(28, Id160.ByteLength));
        peerId = buffer.Slice(48, PeerIdentity.Length);
        return ParseStatus.Message;
    }

    /// <summary>Whether a handshake read by <see cref="TryRead"/> announces BEP 10 (the extension protocol).</summary>
    public static bool SupportsExtensions(ReadOnlySpan<byte> handshake) =>
        handshake.Length > ExtensionByte && (handshake[ExtensionByte] & ExtensionBit) != 0;

    /// <summary>Whether a handshake read by <see cref="TryRead"/> announces BEP 6 (the fast extension).</summary>
    public static bool SupportsFastExtension(ReadOnlySpan<byte> handshake) =>
        handshake.Length > FastByte && (handshake[FastByte] & FastBit) != 0;
}
