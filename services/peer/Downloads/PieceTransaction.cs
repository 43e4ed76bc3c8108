using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// A "dwn" transaction: one piece fetched from one attendant as pipelined 16 KiB block requests.
/// The engine thread keeps which blocks were requested and received and feeds them to the
/// piece's <see cref="PieceVerifier"/>; the blocks themselves go from the receive buffer to the
/// <see cref="BlockWriter"/>, which writes them, so a running piece costs a few hundred bytes here.
/// </summary>
internal sealed class PieceTransaction
{
    private const byte NotRequested = 0, Requested = 1, Received = 2;

    /// <summary>Each block's state: not requested, requested (outstanding), received.</summary>
    private readonly byte[] _blocks;

    public PieceTransaction(IPieceListener owner, int generation, TorrentMetainfo torrent, Piece piece, Attendant attendant, ContentFiles content, long now)
    {
        Owner = owner;
        Generation = generation;
        Torrent = torrent;
        Piece = piece;
        Attendant = attendant;
        Content = content;
        BlockCount = PieceGeometry.BlockCount(piece.Size);
        _blocks = new byte[BlockCount];
        Verifier = new PieceVerifier(piece.Offset, piece.Size);
        LastActivity = now;
    }

    /// <summary>Who hears how the piece ended (the download's controller, on the engine thread).</summary>
    public IPieceListener Owner { get; }

    /// <summary>The download's generation when it started: results for an older plan are ignored.</summary>
    public int Generation { get; }
    public TorrentMetainfo Torrent { get; }
    public Piece Piece { get; }
    public Attendant Attendant { get; }

    /// <summary>The files the piece is written to.</summary>
    public ContentFiles Content { get; }

    /// <summary>Hashes the piece: fed on the engine thread, checked on the block writer's once complete.</summary>
    public PieceVerifier Verifier { get; }
    public int BlockCount { get; }

    /// <summary>The first block not requested yet (blocks are requested in order; a rejected one is asked again first).</summary>
    public int NextBlock { get; private set; }

    /// <summary>Blocks requested or received.</summary>
    public int BlocksRequested { get; private set; }

    public int BlocksReceived { get; private set; }

    /// <summary>Requested and not yet received.</summary>
    public int Outstanding => BlocksRequested - BlocksReceived;

    public bool AllRequested => BlocksRequested == BlockCount;
    public bool IsComplete => BlocksReceived == BlockCount;

    /// <summary>Abandoned (peer gone, choked, timed out, paused): late blocks are refused.</summary>
    public bool IsAbandoned { get; private set; }

    /// <summary>Monotonic timestamp of the last request sent or block received: a piece times out when it stalls.</summary>
    public long LastActivity { get; set; }

    /// <summary>The next block to request: (begin, length).</summary>
    public (int Begin, int Length) PeekNextBlock() => (NextBlock * PieceGeometry.BlockSize, PieceGeometry.BlockLength(Piece.Size, NextBlock));

    /// <summary>Marks the next block requested and returns it.</summary>
    public (int Begin, int Length) TakeNextBlock()
    {
        var block = PeekNextBlock();
        _blocks[NextBlock] = Requested;
        BlocksRequested++;
        while (NextBlock < BlockCount && _blocks[NextBlock] != NotRequested) NextBlock++;
        return block;
    }

    /// <summary>
    /// BEP 6: the attendant rejected a block we requested and have not received: it is requested again later (by
    /// this attendant or, if the transaction is abandoned, by whoever takes the piece). False for any other block.
    /// </summary>
    public bool Unrequest(int begin, int length)
    {
        if (IsAbandoned || begin % PieceGeometry.BlockSize != 0) return false;
        var index = begin / PieceGeometry.BlockSize;
        if (index >= BlockCount || _blocks[index] != Requested || length != PieceGeometry.BlockLength(Piece.Size, index)) return false;
        _blocks[index] = NotRequested;
        BlocksRequested--;
        NextBlock = Math.Min(NextBlock, index);
        return true;
    }

    /// <summary>
    /// Takes a block that we requested and have not seen yet, returning its index; anything else
    /// (late, duplicate, odd offset or length) is refused with -1.
    /// </summary>
    public int TryAccept(int begin, int length)
    {
        if (IsAbandoned || begin % PieceGeometry.BlockSize != 0) return -1;
        var index = begin / PieceGeometry.BlockSize;
        if (index >= BlockCount || _blocks[index] != Requested || length != PieceGeometry.BlockLength(Piece.Size, index)) return -1;
        _blocks[index] = Received;
        BlocksReceived++;
        return index;
    }

    public void Abandon() => IsAbandoned = true;

    /// <summary>Blocks requested but not received, for CANCEL messages when the transaction is abandoned.</summary>
    public IEnumerable<(int Begin, int Length)> OutstandingBlocks()
    {
        for (var i = 0; i < BlockCount; i++)
            if (_blocks[i] == Requested) yield return (i * PieceGeometry.BlockSize, PieceGeometry.BlockLength(Piece.Size, i));
    }
}
