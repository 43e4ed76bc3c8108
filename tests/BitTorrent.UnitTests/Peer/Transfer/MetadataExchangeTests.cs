using System.Text;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.UnitTests.Peer.Transfer;

public class MetadataExchangeTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    public void A_request_round_trips(int piece)
    {
        var bytes = MetadataExchange.EncodeRequest(piece);

        Assert.Equal($"d8:msg_typei0e5:piecei{piece}ee", Encoding.ASCII.GetString(bytes));
        Assert.True(MetadataExchange.TryParse(bytes, out var message, out var error), error);
        Assert.Equal(new MetadataMessage(MetadataMessageType.Request, piece), message);
    }

    [Fact]
    public void A_reject_round_trips()
    {
        Assert.True(MetadataExchange.TryParse(MetadataExchange.EncodeReject(3), out var message, out _));
        Assert.Equal(new MetadataMessage(MetadataMessageType.Reject, 3), message);
    }

    [Fact]
    public void A_data_message_round_trips_with_its_piece_after_the_dictionary()
    {
        const int total = 40_000; // pieces of 16384, 16384 and 7232 bytes
        var data = new byte[7232];
        Random.Shared.NextBytes(data);

        var bytes = MetadataExchange.EncodeData(2, total, data);

        Assert.True(MetadataExchange.TryParse(bytes, out var message, out var error), error);
        Assert.Equal(MetadataMessageType.Data, message.Type);
        Assert.Equal(2, message.Piece);
        Assert.Equal(total, message.TotalSize);
        Assert.Equal(data, bytes.AsSpan(message.DataOffset, message.DataLength).ToArray());
    }

    [Fact]
    public void Piece_count_and_lengths_cut_the_dictionary_in_16_KiB_pieces()
    {
        Assert.Equal(1, MetadataExchange.PieceCount(1));
        Assert.Equal(1, MetadataExchange.PieceCount(16384));
        Assert.Equal(2, MetadataExchange.PieceCount(16385));
        Assert.Equal(256, MetadataExchange.PieceCount(ExtensionHandshake.MaxMetadataSize));
        Assert.Equal(16384, MetadataExchange.PieceLength(16385, 0));
        Assert.Equal(1, MetadataExchange.PieceLength(16385, 1));
    }

    [Theory]
    [InlineData("d8:msg_typei0e5:piecei0ee1", "bytes after")] // a request with trailing bytes
    [InlineData("d8:msg_typei0e5:piecei0e", "not bencoded")] // truncated
    [InlineData("d5:piecei0e8:msg_typei0ee", "not bencoded")] // unsorted keys
    [InlineData("i0e", "not a dictionary")]
    [InlineData("d8:msg_typei3e5:piecei0ee", "msg_type")]
    [InlineData("d8:msg_type1:05:piecei0ee", "msg_type")]
    [InlineData("d8:msg_typei0ee", "piece")]
    [InlineData("d8:msg_typei0e5:piecei-1ee", "piece")]
    [InlineData("d8:msg_typei0e5:piecei256ee", "piece")] // beyond 4 MiB of metadata
    [InlineData("d8:msg_typei1e5:piecei0ee", "total_size")] // data without total_size
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizei-3ee", "total_size")]
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizei4194305ee", "total_size")]
    [InlineData("d8:msg_typei1e5:piecei1e10:total_sizei5eeabcde", "beyond its total_size")]
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizei5eeabcd", "wrong length")] // one byte short
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizei5eeabcdef", "wrong length")] // one byte too many
    public void Malformed_messages_are_refused_with_a_reason(string text, string expected)
    {
        Assert.False(MetadataExchange.TryParse(Encoding.ASCII.GetBytes(text), out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_message_or_header_is_refused()
    {
        var huge = MetadataExchange.EncodeData(0, ExtensionHandshake.MaxMetadataSize, new byte[MetadataExchange.PieceSize]).Concat(new byte[MetadataExchange.MaxHeaderLength]).ToArray();
        Assert.False(MetadataExchange.TryParse(huge, out _, out var error));
        Assert.Contains("longer than", error, StringComparison.Ordinal);

        var padding = new string('x', MetadataExchange.MaxHeaderLength);
        var longHeader = Encoding.ASCII.GetBytes($"d1:a{padding.Length}:{padding}8:msg_typei0e5:piecei0ee");
        Assert.False(MetadataExchange.TryParse(longHeader, out _, out error));
        Assert.Contains("not bencoded", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_nested_too_deeply_is_refused()
    {
        Assert.False(MetadataExchange.TryParse("d1:ad1:bd1:cdeee8:msg_typei0e5:piecei0ee"u8, out _, out var error));
        Assert.Contains("nesting too deep", error, StringComparison.Ordinal);
    }
}
