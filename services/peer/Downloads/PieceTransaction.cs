using System.Security.Cryptography;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;
using Microsoft.Win32.SafeHandles;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// A "dwn" transaction: one piece fetched from one attendant as pipelined 16 KiB block requests.
/// It holds no piece buffer: each block is written to the file at its offset straight from the
/// receive buffer, and blocks that arrive in order go into an incremental SHA-1 at once, so a
/// running piece costs a few hundred bytes and the window bounds memory by requests, not bytes.
/// </summary>
internal sealed class PieceTransaction
{
    private readonly bool[] _received;
    private IncrementalHash? _hash;

    public PieceTransaction(Download download, Piece piece, PeerConnection attendant, IncrementalHash hash, long now)
    {
        Download = download;
        Generation = download.Generation;
        Piece = piece;
        Attendant = attendant;
        BlockCount = PieceGeometry.BlockCount(piece.Size);
        _received = new bool[BlockCount];
        _hash = hash;
        LastActivity = now;
    }

    public Download Download { get; }
    public int Generation { get; }
    public Piece Piece { get; }
    public PeerConnection Attendant { get; }
    public int BlockCount { get; }

    /// <summary>Blocks requested so far (they are requested in order).</summary>
    public int NextBlock { get; private set; }

    public int BlocksReceived { get; private set; }

    /// <summary>Leading blocks already fed to the SHA-1 (a block that arrives out of order waits in the file).</summary>
    public int HashedBlocks { get; private set; }

    /// <summary>Requested and not yet received.</summary>
    public int Outstanding => NextBlock - BlocksReceived;

    public bool AllRequested => NextBlock == BlockCount;
    public bool IsComplete => BlocksReceived == BlockCount;

    /// <summary>Monotonic timestamp of the last request sent or block received: a piece times out when it stalls.</summary>
    public long LastActivity { get; set; }

    /// <summary>The next block to request: (begin, length).</summary>
    public (int Begin, int Length) TakeNextBlock()
    {
        var block = NextBlock++;
        return (block * PieceGeometry.BlockSize, PieceGeometry.BlockLength(Piece.Size, block));
    }

    /// <summary>
    /// Takes a block that we requested and have not seen yet; anything else (late, duplicate, odd
    /// offset) is refused. The caller writes an accepted block to the file.
    /// </summary>
    public bool TryAccept(int begin, ReadOnlySpan<byte> block)
    {
        if (_hash is null || begin % PieceGeometry.BlockSize != 0) return false;
        var index = begin / PieceGeometry.BlockSize;
        if (index >= NextBlock || _received[index] || block.Length != PieceGeometry.BlockLength(Piece.Size, index)) return false;
        _received[index] = true;
        BlocksReceived++;
        if (index == HashedBlocks)
        {
            _hash.AppendData(block);
            HashedBlocks++;
        }
        return true;
    }

    /// <summary>
    /// Once complete: hashes the blocks that came out of order by reading them back from
    /// <paramref name="file"/> (where they were written) through <paramref name="scratch"/> (one
    /// block long), and compares the SHA-1 with <paramref name="expected"/>.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> expected, SafeFileHandle file, Span<byte> scratch)
    {
        if (_hash is null) throw new ObjectDisposedException(nameof(PieceTransaction));
        if (!IsComplete) throw new InvalidOperationException("Only a complete piece can be verified.");
        for (; HashedBlocks < BlockCount; HashedBlocks++)
        {
            var block = scratch[..PieceGeometry.BlockLength(Piece.Size, HashedBlocks)];
            TorrentMetainfo.ReadExactly(file, block, Piece.Offset + (long)HashedBlocks * PieceGeometry.BlockSize);
            _hash.AppendData(block);
        }
        Span<byte> digest = stackalloc byte[20];
        _hash.GetHashAndReset(digest);
        return digest.SequenceEqual(expected);
    }

    /// <summary>Blocks requested but not received, for CANCEL messages when the transaction is abandoned.</summary>
    public IEnumerable<(int Begin, int Length)> OutstandingBlocks()
    {
        for (var i = 0; i < NextBlock; i++)
            if (!_received[i]) yield return (i * PieceGeometry.BlockSize, PieceGeometry.BlockLength(Piece.Size, i));
    }

    /// <summary>Ends the transaction and hands its SHA-1 back, reset, for the next piece (null if already released).</summary>
    public IncrementalHash? ReleaseHash()
    {
        var hash = _hash;
        _hash = null;
        if (hash is not null)
        {
            Span<byte> discard = stackalloc byte[20];
            hash.TryGetHashAndReset(discard, out _); // drops a half-fed state
        }
        return hash;
    }
}
