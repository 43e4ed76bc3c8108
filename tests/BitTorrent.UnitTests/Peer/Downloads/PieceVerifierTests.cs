using System.Security.Cryptography;
using BitTorrent.Peer.Downloads;

namespace BitTorrent.UnitTests.Peer.Downloads;

public class PieceVerifierTests
{
    [Fact]
    public void A_complete_piece_is_checked_against_its_sha1()
    {
        using var file = new PieceTransactionTests.TempFile(20_000);
        var content = Random(20_000, seed: 3);
        var verifier = new PieceVerifier(pieceOffset: 0, pieceSize: 20_000);
        verifier.Append(0, content.AsSpan(0, 16384));
        verifier.Append(1, content.AsSpan(16384));

        Assert.Equal(2, verifier.HashedBlocks); // in order: hashed as they came, nothing read back
        Assert.True(verifier.Verify(SHA1.HashData(content), file.Content, new byte[16384]));
    }

    [Fact]
    public void A_corrupt_block_fails_the_pieces_sha1()
    {
        using var file = new PieceTransactionTests.TempFile(20_000);
        var content = Random(20_000, seed: 3);
        var expected = SHA1.HashData(content);
        content[5] ^= 1;
        var verifier = new PieceVerifier(0, 20_000);
        verifier.Append(0, content.AsSpan(0, 16384));
        verifier.Append(1, content.AsSpan(16384));

        Assert.False(verifier.Verify(expected, file.Content, new byte[16384]));
    }

    [Fact]
    public void Blocks_out_of_order_are_hashed_from_the_file_when_the_piece_completes()
    {
        using var file = new PieceTransactionTests.TempFile(40_000);
        var content = Random(40_000, seed: 5);
        var verifier = new PieceVerifier(0, 40_000);
        // The writer writes every block at its offset; the last two come first.
        foreach (var (block, begin) in new[] { (2, 32768), (1, 16384), (0, 0) })
        {
            var data = content.AsSpan(begin, Math.Min(16384, content.Length - begin));
            verifier.Append(block, data);
            RandomAccess.Write(file.Handle, data, begin);
        }

        Assert.Equal(1, verifier.HashedBlocks); // only block 0 could be hashed on arrival
        Assert.True(verifier.Verify(SHA1.HashData(content), file.Content, new byte[16384]));
    }

    [Fact]
    public void A_corrupt_block_that_came_out_of_order_is_caught_from_the_file()
    {
        using var file = new PieceTransactionTests.TempFile(40_000);
        var content = Random(40_000, seed: 7);
        var expected = SHA1.HashData(content);
        var verifier = new PieceVerifier(0, 40_000);
        verifier.Append(0, content.AsSpan(0, 16384));
        content[20_000] ^= 0xFF; // block 1 arrives after block 2, corrupted
        RandomAccess.Write(file.Handle, content, 0);
        verifier.Append(2, content.AsSpan(32768));
        verifier.Append(1, content.AsSpan(16384, 16384));

        Assert.False(verifier.Verify(expected, file.Content, new byte[16384]));
    }

    [Fact]
    public void A_released_verifier_takes_no_more_blocks_and_cannot_pass()
    {
        var verifier = new PieceVerifier(0, 20_000);
        verifier.Append(0, new byte[16384]);
        verifier.Release();
        verifier.Append(1, new byte[20_000 - 16384]);

        Assert.Equal(1, verifier.HashedBlocks);
        using var file = new PieceTransactionTests.TempFile(20_000);
        Assert.Throws<ObjectDisposedException>(() => verifier.Verify(new byte[20], file.Content, new byte[16384]));
    }

    [Fact]
    public void A_pooled_sha1_state_starts_clean_for_the_next_piece()
    {
        using var file = new PieceTransactionTests.TempFile(16384);
        var half = new PieceVerifier(0, 16384 * 2);
        half.Append(0, Random(16384, seed: 1)); // half-fed, then given back
        half.Release();

        var content = Random(16384, seed: 2);
        RandomAccess.Write(file.Handle, content, 0);
        var next = new PieceVerifier(0, 16384);
        Assert.True(next.Verify(SHA1.HashData(content), file.Content, new byte[16384]));
    }

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
