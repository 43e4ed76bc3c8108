using System.Buffers;
using System.Security.Cryptography;
using BitTorrent.Peer.Torrents;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// A "dwn" transaction: one piece fetched from one attendant as pipelined 16 KiB block requests
/// into a pooled buffer. Its buffer is the only memory a piece costs, so the window bounds memory.
/// </summary>
internal sealed class PieceTransaction
{
    private readonly bool[] _received;
    private byte[]? _buffer;

    public PieceTransaction(Download download, Piece piece, PeerConnection attendant, long now)
    {
        Download = download;
        Generation = download.Generation;
        Piece = piece;
        Attendant = attendant;
        BlockCount = PieceGeometry.BlockCount(piece.Size);
        _received = new bool[BlockCount];
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(piece.Size, 1));
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

    /// <summary>Requested and not yet received.</summary>
    public int Outstanding => NextBlock - BlocksReceived;

    public bool AllRequested => NextBlock == BlockCount;
    public bool IsComplete => BlocksReceived == BlockCount;

    /// <summary>Monotonic timestamp of the last request sent or block received: a piece times out when it stalls.</summary>
    public long LastActivity { get; set; }

    public ReadOnlySpan<byte> Data => _buffer is null ? throw new ObjectDisposedException(nameof(PieceTransaction)) : _buffer.AsSpan(0, Piece.Size);

    /// <summary>The next block to request: (begin, length).</summary>
    public (int Begin, int Length) TakeNextBlock()
    {
        var block = NextBlock++;
        return (block * PieceGeometry.BlockSize, PieceGeometry.BlockLength(Piece.Size, block));
    }

    /// <summary>Copies a block that we requested and have not seen yet; anything else (late, duplicate, odd offset) is refused.</summary>
    public bool TryAccept(int begin, ReadOnlySpan<byte> block)
    {
        if (_buffer is null || begin % PieceGeometry.BlockSize != 0) return false;
        var index = begin / PieceGeometry.BlockSize;
        if (index >= NextBlock || _received[index] || block.Length != PieceGeometry.BlockLength(Piece.Size, index)) return false;
        block.CopyTo(_buffer.AsSpan(begin));
        _received[index] = true;
        BlocksReceived++;
        return true;
    }

    /// <summary>Blocks requested but not received, for CANCEL messages when the transaction is abandoned.</summary>
    public IEnumerable<(int Begin, int Length)> OutstandingBlocks()
    {
        for (var i = 0; i < NextBlock; i++)
            if (!_received[i]) yield return (i * PieceGeometry.BlockSize, PieceGeometry.BlockLength(Piece.Size, i));
    }

    public bool HashMatches(ReadOnlySpan<byte> expected)
    {
        Span<byte> digest = stackalloc byte[20];
        SHA1.HashData(Data, digest);
        return digest.SequenceEqual(expected);
    }

    public void ReturnBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
