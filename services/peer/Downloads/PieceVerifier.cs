using System.Collections.Concurrent;
using System.Security.Cryptography;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// Where a piece is verified: an incremental SHA-1 fed with the piece's blocks in order as they
/// arrive (on the engine thread; a block that arrives out of order waits in the file), and
/// compared with the torrent's hash once every block is on disk (on the block writer's thread,
/// which then owns it); blocks that came out of order are read back then. SHA-1 states are pooled.
/// </summary>
internal sealed class PieceVerifier(long pieceOffset, int pieceSize)
{
    private const int MaxPooled = 64;
    private static readonly ConcurrentStack<IncrementalHash> Pool = new();
    private IncrementalHash? _hash;
    private bool _released;

    public int BlockCount { get; } = PieceGeometry.BlockCount(pieceSize);

    /// <summary>Leading blocks already fed to the SHA-1.</summary>
    public int HashedBlocks { get; private set; }

    /// <summary>A write of one of its blocks failed: the piece cannot be trusted whatever its hash.</summary>
    public bool WriteFailed { get; set; }

    /// <summary>Feeds a block if it is the next one in order; later ones are hashed from the file at <see cref="Verify"/>.</summary>
    public void Append(int block, ReadOnlySpan<byte> data)
    {
        if (_released || block != HashedBlocks) return;
        Hash().AppendData(data);
        HashedBlocks++;
    }

    /// <summary>
    /// Once every block is written: hashes what is left by reading it back from
    /// <paramref name="file"/> (the torrent's files) through <paramref name="scratch"/> (one block long) and compares
    /// with <paramref name="expected"/>. The SHA-1 state goes back to the pool.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> expected, ContentFiles file, Span<byte> scratch)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        var hash = Hash();
        for (; HashedBlocks < BlockCount; HashedBlocks++)
        {
            var block = scratch[..PieceGeometry.BlockLength(pieceSize, HashedBlocks)];
            file.ReadExactly(block, pieceOffset + (long)HashedBlocks * PieceGeometry.BlockSize);
            hash.AppendData(block);
        }
        Span<byte> digest = stackalloc byte[20];
        hash.GetHashAndReset(digest);
        Release();
        return digest.SequenceEqual(expected);
    }

    /// <summary>Gives the SHA-1 state back to the pool, reset; the verifier hashes nothing more.</summary>
    public void Release()
    {
        _released = true;
        if (_hash is not { } hash) return;
        _hash = null;
        Span<byte> discard = stackalloc byte[20];
        hash.TryGetHashAndReset(discard, out _); // drops a half-fed state
        if (Pool.Count < MaxPooled) Pool.Push(hash);
        else hash.Dispose();
    }

    private IncrementalHash Hash() => _hash ??= Pool.TryPop(out var pooled) ? pooled : IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
}
