using System.Buffers.Binary;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// Decodes length-prefixed wire messages in place (no copies, no allocation) and validates
/// them against the torrent's geometry. Anything malformed is reported with a fixed reason so
/// the engine closes that one connection. BEP 6's messages are read only on a connection that negotiated
/// the fast extension (<c>fastExtension</c>); anywhere else they break the protocol, as BEP 6 says.
/// </summary>
public static class MessageReader
{
    /// <summary>A piece message carries a 16 KiB block plus id, index and begin; 13 bytes of slack as BEP 3 clients allow.</summary>
    public const int MaxMessageLength = PieceGeometry.BlockSize + 13;

    /// <summary>The largest length prefix accepted: a bitfield of a many-piece torrent may exceed a block.</summary>
    public static int MaxLengthFor(in PieceGeometry geometry) => Math.Max(MaxMessageLength, 1 + Bitfield.ByteLength(geometry.PieceCount));

    public static ParseStatus TryRead(ReadOnlySpan<byte> buffer, in PieceGeometry geometry, out PeerMessage message, out int consumed, out string? error,
        bool fastExtension = false)
    {
        message = default;
        consumed = 0;
        error = null;
        if (buffer.Length < 4) return ParseStatus.NeedMoreData;

        var length = BinaryPrimitives.ReadUInt32BigEndian(buffer);
        if (length == 0)
        {
            consumed = 4;
            message = new PeerMessage(MessageType.KeepAlive);
            return ParseStatus.Message;
        }
        if (length > (uint)MaxLengthFor(geometry)) return Malformed(out error, "message longer than allowed");
        if (buffer.Length - 4 < length) return ParseStatus.NeedMoreData;

        consumed = 4 + (int)length;
        var type = (MessageType)buffer[4];
        var payload = buffer.Slice(5, (int)length - 1);
        switch (type)
        {
            case MessageType.SuggestPiece or MessageType.HaveAll or MessageType.HaveNone or MessageType.RejectRequest or MessageType.AllowedFast
                when !fastExtension:
                return Malformed(out error, "fast extension message without the fast extension");

            case MessageType.Choke or MessageType.Unchoke or MessageType.Interested or MessageType.NotInterested or MessageType.HaveAll or MessageType.HaveNone:
                if (!payload.IsEmpty) return Malformed(out error, "state message with a payload");
                message = new PeerMessage(type);
                return ParseStatus.Message;

            case MessageType.Have or MessageType.SuggestPiece or MessageType.AllowedFast:
                if (payload.Length != 4) return Malformed(out error, "have, suggest or allowed fast is not 4 bytes");
                var have = BinaryPrimitives.ReadInt32BigEndian(payload);
                if ((uint)have >= (uint)geometry.PieceCount) return Malformed(out error, "have, suggest or allowed fast of a piece that does not exist");
                message = new PeerMessage(type, have);
                return ParseStatus.Message;

            case MessageType.Bitfield:
                if (payload.Length != Bitfield.ByteLength(geometry.PieceCount)) return Malformed(out error, "bitfield of the wrong size");
                message = new PeerMessage(type, payload: payload);
                return ParseStatus.Message;

            case MessageType.Request or MessageType.Cancel or MessageType.RejectRequest:
            {
                if (payload.Length != 12) return Malformed(out error, "request/cancel/reject is not 12 bytes");
                var index = BinaryPrimitives.ReadInt32BigEndian(payload);
                var begin = BinaryPrimitives.ReadInt32BigEndian(payload[4..]);
                var blockLength = BinaryPrimitives.ReadInt32BigEndian(payload[8..]);
                if (blockLength > PieceGeometry.BlockSize) return Malformed(out error, "request larger than 16 KiB");
                if (!geometry.ContainsBlock(index, begin, blockLength)) return Malformed(out error, "request outside the file");
                message = new PeerMessage(type, index, begin, blockLength);
                return ParseStatus.Message;
            }

            case MessageType.Piece:
            {
                if (payload.Length <= 8) return Malformed(out error, "piece without a block");
                var index = BinaryPrimitives.ReadInt32BigEndian(payload);
                var begin = BinaryPrimitives.ReadInt32BigEndian(payload[4..]);
                var block = payload[8..];
                if (block.Length > PieceGeometry.BlockSize) return Malformed(out error, "block larger than 16 KiB");
                if (!geometry.ContainsBlock(index, begin, block.Length)) return Malformed(out error, "block outside the file");
                message = new PeerMessage(type, index, begin, block.Length, block);
                return ParseStatus.Message;
            }

            default:
                // Extended messages (BEP 10) go to the engine as they are; others we did not negotiate (port): skipped, as BEP 3 asks.
                message = new PeerMessage(type, payload: payload);
                return ParseStatus.Message;
        }
    }

    private static ParseStatus Malformed(out string error, string reason)
    {
        error = reason;
        return ParseStatus.Malformed;
    }
}
