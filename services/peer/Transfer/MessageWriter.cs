using System.Buffers.Binary;

namespace BitTorrent.Peer.Transfer;

/// <summary>Encodes wire messages into a caller's span; each method returns the bytes written.</summary>
public static class MessageWriter
{
    public const int RequestLength = 17;
    public const int HaveLength = 9;
    public const int PieceHeaderLength = 13;

    public static int WriteKeepAlive(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, 0);
        return 4;
    }

    /// <summary>choke, unchoke, interested, not interested, BEP 6's have all and have none: a length of 1 and the id.</summary>
    public static int WriteState(Span<byte> destination, MessageType type)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, 1);
        destination[4] = (byte)type;
        return 5;
    }

    public static int WriteHave(Span<byte> destination, int index) => WritePieceIndex(destination, MessageType.Have, index);

    /// <summary>have, and BEP 6's suggest piece and allowed fast: a length of 5, the id and a piece index.</summary>
    public static int WritePieceIndex(Span<byte> destination, MessageType type, int index)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, 5);
        destination[4] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], index);
        return HaveLength;
    }

    public static int WriteBitfield(Span<byte> destination, ReadOnlySpan<byte> bits)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, 1 + bits.Length);
        destination[4] = (byte)MessageType.Bitfield;
        bits.CopyTo(destination[5..]);
        return 5 + bits.Length;
    }

    public static int WriteRequest(Span<byte> destination, int index, int begin, int length) =>
        WriteBlockAddress(destination, MessageType.Request, index, begin, length);

    public static int WriteCancel(Span<byte> destination, int index, int begin, int length) =>
        WriteBlockAddress(destination, MessageType.Cancel, index, begin, length);

    /// <summary>BEP 6's reject request: the address of the request that will not be served.</summary>
    public static int WriteReject(Span<byte> destination, int index, int begin, int length) =>
        WriteBlockAddress(destination, MessageType.RejectRequest, index, begin, length);

    /// <summary>The 13-byte header of a piece message; the block itself is read from disk right after it.</summary>
    public static int WritePieceHeader(Span<byte> destination, int index, int begin, int blockLength)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, 9 + blockLength);
        destination[4] = (byte)MessageType.Piece;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], index);
        BinaryPrimitives.WriteInt32BigEndian(destination[9..], begin);
        return PieceHeaderLength;
    }

    private static int WriteBlockAddress(Span<byte> destination, MessageType type, int index, int begin, int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, 13);
        destination[4] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], index);
        BinaryPrimitives.WriteInt32BigEndian(destination[9..], begin);
        BinaryPrimitives.WriteInt32BigEndian(destination[13..], length);
        return RequestLength;
    }
}
