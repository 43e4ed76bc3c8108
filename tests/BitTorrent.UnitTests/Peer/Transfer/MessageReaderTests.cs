using System.Buffers.Binary;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Transfer;

public class MessageReaderTests
{
    // 3 pieces of 256 KiB and a last one of 1000 bytes.
    private static readonly PieceGeometry Geometry = new(3L * 256 * 1024 + 1000, 256 * 1024);

    [Fact]
    public void Every_message_we_write_reads_back()
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        length += MessageWriter.WriteKeepAlive(buffer.AsSpan(length));
        length += MessageWriter.WriteState(buffer.AsSpan(length), MessageType.Unchoke);
        length += MessageWriter.WriteHave(buffer.AsSpan(length), 3);
        length += MessageWriter.WriteBitfield(buffer.AsSpan(length), [0b1010_0000]);
        length += MessageWriter.WriteRequest(buffer.AsSpan(length), 1, 16384, 16384);
        length += MessageWriter.WritePieceHeader(buffer.AsSpan(length), 3, 0, 1000);
        buffer.AsSpan(length, 1000).Fill(7);
        length += 1000;
        length += MessageWriter.WriteCancel(buffer.AsSpan(length), 1, 16384, 16384);

        var span = buffer.AsSpan(0, length);
        var types = new List<MessageType>();
        while (!span.IsEmpty)
        {
            Assert.Equal(ParseStatus.Message, MessageReader.TryRead(span, Geometry, out var message, out var consumed, out _));
            types.Add(message.Type);
            switch (message.Type)
            {
                case MessageType.Have:
                    Assert.Equal(3, message.Index);
                    break;
                case MessageType.Bitfield:
                    Assert.Equal([0b1010_0000], message.Payload.ToArray());
                    break;
                case MessageType.Request or MessageType.Cancel:
                    Assert.Equal((1, 16384, 16384), (message.Index, message.Begin, message.Length));
                    break;
                case MessageType.Piece:
                    Assert.Equal((3, 0, 1000), (message.Index, message.Begin, message.Length));
                    Assert.All(message.Payload.ToArray(), b => Assert.Equal(7, b));
                    break;
            }
            span = span[consumed..];
        }
        Assert.Equal(
            [MessageType.KeepAlive, MessageType.Unchoke, MessageType.Have, MessageType.Bitfield, MessageType.Request, MessageType.Piece, MessageType.Cancel],
            types);
    }

    [Fact]
    public void A_partial_message_needs_more_data()
    {
        var buffer = new byte[17];
        MessageWriter.WriteRequest(buffer, 0, 0, 16384);

        for (var cut = 0; cut < buffer.Length; cut++)
            Assert.Equal(ParseStatus.NeedMoreData, MessageReader.TryRead(buffer.AsSpan(0, cut), Geometry, out _, out _, out _));
    }

    [Fact]
    public void An_oversized_length_prefix_is_malformed_before_its_body_arrives()
    {
        var buffer = new byte[5];
        BinaryPrimitives.WriteInt32BigEndian(buffer, MessageReader.MaxMessageLength + 1);
        buffer[4] = (byte)MessageType.Piece;

        Assert.Equal(ParseStatus.Malformed, MessageReader.TryRead(buffer, Geometry, out _, out _, out var error));
        Assert.Contains("longer", error);
    }

    [Fact]
    public void A_huge_length_prefix_is_malformed()
    {
        Assert.Equal(ParseStatus.Malformed, MessageReader.TryRead([0xFF, 0xFF, 0xFF, 0xFF, 7], Geometry, out _, out _, out _));
    }

    public static TheoryData<byte[], string> Malformed => new()
    {
        { Message(MessageType.Choke, [1]), "payload" },
        { Message(MessageType.Interested, [0, 0]), "payload" },
        { Message(MessageType.Have, [0, 0, 0]), "4 bytes" },
        { Message(MessageType.Have, Int32s(4)), "does not exist" },
        { Message(MessageType.Have, Int32s(-1)), "does not exist" },
        { Message(MessageType.Bitfield, [0xF0, 0]), "size" },
        { Message(MessageType.Request, Int32s(0, 0)), "12 bytes" },
        { Message(MessageType.Request, Int32s(0, 0, 16385)), "16 KiB" },
        { Message(MessageType.Request, Int32s(0, 0, 0)), "outside" },
        { Message(MessageType.Request, Int32s(0, -1, 10)), "outside" },
        { Message(MessageType.Request, Int32s(4, 0, 10)), "outside" },
        { Message(MessageType.Request, Int32s(3, 900, 200)), "outside" },
        { Message(MessageType.Request, Int32s(0, 256 * 1024 - 100, 16384)), "outside" },
        { Message(MessageType.Cancel, Int32s(9, 0, 10)), "outside" },
        { Message(MessageType.Piece, Int32s(0, 0)), "without a block" },
        { Message(MessageType.Piece, [.. Int32s(3, 0), .. new byte[1001]]), "outside" },
        { Message(MessageType.Piece, [.. Int32s(-5, 0), .. new byte[10]]), "outside" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_messages_are_reported_with_a_reason(byte[] wire, string reason)
    {
        Assert.Equal(ParseStatus.Malformed, MessageReader.TryRead(wire, Geometry, out _, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Unknown_message_ids_are_skipped_whole()
    {
        var wire = Message((MessageType)20, [1, 2, 3]);

        Assert.Equal(ParseStatus.Message, MessageReader.TryRead(wire, Geometry, out var message, out var consumed, out _));
        Assert.Equal(wire.Length, consumed);
        Assert.Equal((MessageType)20, message.Type);
    }

    [Fact]
    public void A_bitfield_larger_than_a_block_is_allowed_for_torrents_with_many_pieces()
    {
        var many = new PieceGeometry(200_000L * 16384, 16384);
        var bits = new byte[Bitfield.ByteLength(many.PieceCount)];
        var wire = new byte[5 + bits.Length];
        MessageWriter.WriteBitfield(wire, bits);

        Assert.Equal(ParseStatus.Message, MessageReader.TryRead(wire, many, out var message, out _, out _));
        Assert.Equal(bits.Length, message.Payload.Length);
    }

    private static byte[] Message(MessageType type, byte[] payload)
    {
        var wire = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(wire, 1 + payload.Length);
        wire[4] = (byte)type;
        payload.CopyTo(wire, 5);
        return wire;
    }

    private static byte[] Int32s(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }
}
