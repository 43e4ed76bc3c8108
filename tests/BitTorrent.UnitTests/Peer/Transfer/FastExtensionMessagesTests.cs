using System.Buffers.Binary;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Transfer;

/// <summary>BEP 6's messages on the wire: what we write reads back, and every wrong length or index is refused.</summary>
public class FastExtensionMessagesTests
{
    // 3 pieces of 256 KiB and a last one of 1000 bytes.
    private static readonly PieceGeometry Geometry = new(3L * 256 * 1024 + 1000, 256 * 1024);

    [Fact]
    public void Every_fast_message_we_write_reads_back_on_a_fast_connection()
    {
        var buffer = new byte[256];
        var length = 0;
        length += MessageWriter.WriteState(buffer.AsSpan(length), MessageType.HaveAll);
        length += MessageWriter.WriteState(buffer.AsSpan(length), MessageType.HaveNone);
        length += MessageWriter.WritePieceIndex(buffer.AsSpan(length), MessageType.SuggestPiece, 2);
        length += MessageWriter.WritePieceIndex(buffer.AsSpan(length), MessageType.AllowedFast, 3);
        length += MessageWriter.WriteReject(buffer.AsSpan(length), 3, 0, 1000);

        var span = buffer.AsSpan(0, length);
        var read = new List<(MessageType, int, int, int)>();
        while (!span.IsEmpty)
        {
            Assert.Equal(ParseStatus.Message, MessageReader.TryRead(span, Geometry, out var message, out var consumed, out _, fastExtension: true));
            read.Add((message.Type, message.Index, message.Begin, message.Length));
            span = span[consumed..];
        }

        Assert.Equal(
            [(MessageType.HaveAll, 0, 0, 0), (MessageType.HaveNone, 0, 0, 0), (MessageType.SuggestPiece, 2, 0, 0), (MessageType.AllowedFast, 3, 0, 0),
             (MessageType.RejectRequest, 3, 0, 1000)],
            read);
        Assert.Equal([0, 0, 0, 13, 0x10], buffer.AsSpan(length - 17, 5).ToArray()); // reject: length 13, id 0x10
    }

    [Theory]
    [InlineData(MessageType.HaveAll)]
    [InlineData(MessageType.HaveNone)]
    [InlineData(MessageType.SuggestPiece)]
    [InlineData(MessageType.AllowedFast)]
    [InlineData(MessageType.RejectRequest)]
    public void A_fast_message_on_a_connection_without_the_fast_extension_breaks_the_protocol(MessageType type)
    {
        var buffer = Write(type);

        Assert.Equal(ParseStatus.Malformed, MessageReader.TryRead(buffer, Geometry, out _, out _, out var error));
        Assert.Equal("fast extension message without the fast extension", error);
        Assert.Equal(ParseStatus.Message, MessageReader.TryRead(buffer, Geometry, out _, out _, out _, fastExtension: true));
    }

    [Theory]
    [InlineData("have-all-with-payload", new byte[] { 0, 0, 0, 2, 0x0E, 0 })]
    [InlineData("have-none-with-payload", new byte[] { 0, 0, 0, 5, 0x0F, 0, 0, 0, 0 })]
    [InlineData("suggest-3-bytes", new byte[] { 0, 0, 0, 4, 0x0D, 0, 0, 0 })]
    [InlineData("suggest-out-of-range", new byte[] { 0, 0, 0, 5, 0x0D, 0, 0, 0, 4 })]
    [InlineData("allowed-fast-5-bytes", new byte[] { 0, 0, 0, 6, 0x11, 0, 0, 0, 1, 0 })]
    [InlineData("allowed-fast-out-of-range", new byte[] { 0, 0, 0, 5, 0x11, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData("reject-8-bytes", new byte[] { 0, 0, 0, 9, 0x10, 0, 0, 0, 1, 0, 0, 0, 0 })]
    [InlineData("reject-outside-the-file", new byte[] { 0, 0, 0, 13, 0x10, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0x40, 0 })]
    [InlineData("reject-larger-than-a-block", new byte[] { 0, 0, 0, 13, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 })]
    public void A_fast_message_of_the_wrong_length_or_index_is_malformed(string name, byte[] bytes)
    {
        Assert.Equal(ParseStatus.Malformed, MessageReader.TryRead(bytes, Geometry, out _, out _, out var error, fastExtension: true));
        Assert.False(string.IsNullOrEmpty(error), name);
    }

    [Fact]
    public void The_handshake_sets_and_reads_the_fast_bit_beside_the_extension_bit()
    {
        var buffer = new byte[Handshake.Length];

        Handshake.Write(buffer, Id160.Hash("t"), PeerIdentity.Create(), fastExtension: true);

        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0x10, 0, 0x04 }, buffer[20..28]);
        Assert.True(Handshake.SupportsFastExtension(buffer));
        Assert.True(Handshake.SupportsExtensions(buffer));
        Handshake.Write(buffer, Id160.Hash("t"), PeerIdentity.Create());
        Assert.False(Handshake.SupportsFastExtension(buffer));
    }

    private static byte[] Write(MessageType type)
    {
        var buffer = new byte[17];
        var length = type switch
        {
            MessageType.HaveAll or MessageType.HaveNone => MessageWriter.WriteState(buffer, type),
            MessageType.RejectRequest => MessageWriter.WriteReject(buffer, 0, 16384, 16384),
            _ => MessageWriter.WritePieceIndex(buffer, type, 1),
        };
        Assert.Equal(length, BinaryPrimitives.ReadInt32BigEndian(buffer) + 4);
        return buffer[..length];
    }
}
