namespace BitTorrent.Shared.Torrents;

/// <summary>
/// How a single file is cut into pieces and pieces into 16 KiB blocks (BEP 3).
/// Every piece is <see cref="PieceLength"/> bytes except possibly the last one.
/// </summary>
public readonly struct PieceGeometry
{
    /// <summary>The unit of a wire request: 16 KiB, what every client asks for and serves.</summary>
    public const int BlockSize = 16 * 1024;

    public PieceGeometry(long totalLength, int pieceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieceLength);
        var count = (totalLength + pieceLength - 1) / pieceLength;
        if (count > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(totalLength), "Too many pieces.");
        TotalLength = totalLength;
        PieceLength = pieceLength;
        PieceCount = (int)count;
    }

    public long TotalLength { get; }
    public int PieceLength { get; }
    public int PieceCount { get; }

    public long PieceOffset(int index) => (long)index * PieceLength;

    public int PieceSize(int index)
    {
        if ((uint)index >= (uint)PieceCount) throw new ArgumentOutOfRangeException(nameof(index));
        return (int)Math.Min(PieceLength, TotalLength - PieceOffset(index));
    }

    public static int BlockCount(int pieceSize) => (pieceSize + BlockSize - 1) / BlockSize;

    public static int BlockLength(int pieceSize, int block) => Math.Min(BlockSize, pieceSize - block * BlockSize);

    /// <summary>True when [begin, begin + length) is a non-empty range inside piece <paramref name="index"/>.</summary>
    public bool ContainsBlock(int index, int begin, int length) =>
        (uint)index < (uint)PieceCount && begin >= 0 && length > 0 && (long)begin + length <= PieceSize(index);
}
