using BitTorrent.Peer.Transfer;

namespace BitTorrent.UnitTests.Peer.Transfer;

public class BitfieldTests
{
    [Fact]
    public void Piece_zero_is_the_high_bit_of_the_first_byte()
    {
        var bits = new Bitfield(10);
        bits.Set(0);
        bits.Set(9);

        Assert.Equal([0b1000_0000, 0b0100_0000], bits.Bytes.ToArray());
        Assert.Equal(2, bits.SetCount);
        Assert.False(bits.Set(0));
        Assert.Equal(2, bits.SetCount);
    }

    [Fact]
    public void Reading_rejects_wrong_length_and_spare_bits()
    {
        Assert.False(Bitfield.TryRead([0xFF], 10, out _));
        Assert.False(Bitfield.TryRead([0xFF, 0b0010_0000], 10, out _));
        Assert.True(Bitfield.TryRead([0xFF, 0b1100_0000], 10, out var bits));
        Assert.True(bits.IsComplete);
    }

    [Fact]
    public void Zero_pieces_is_an_empty_complete_bitfield()
    {
        var bits = new Bitfield(0);

        Assert.True(bits.IsComplete);
        Assert.Equal(0, bits.Bytes.Length);
    }
}
