namespace BitTorrent.Shared.Torrents;

/// <summary>
/// Where pieces fall among a torrent's files (BEP 3 concatenates the files in order and cuts the
/// result into pieces): the file holding a byte, the files a piece spans, the pieces a file spans.
/// Empty files hold no byte and touch no piece.
/// </summary>
public sealed class FileLayout
{
    private readonly long[] _offsets;
    private readonly long[] _lengths;

    public FileLayout(PieceGeometry geometry, IReadOnlyList<long> lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Count == 0) throw new ArgumentException("A torrent has at least one file.", nameof(lengths));
        Geometry = geometry;
        _lengths = [.. lengths];
        _offsets = new long[_lengths.Length];
        long offset = 0;
        for (var i = 0; i < _lengths.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(_lengths[i]);
            _offsets[i] = offset;
            offset = checked(offset + _lengths[i]);
        }
        if (offset != geometry.TotalLength) throw new ArgumentException("The files' lengths do not add up to the torrent's length.", nameof(lengths));
    }

    public PieceGeometry Geometry { get; }
    public int FileCount => _lengths.Length;
    public long FileOffset(int file) => _offsets[file];
    public long FileLength(int file) => _lengths[file];

    /// <summary>The file holding byte <paramref name="offset"/> of the torrent (never an empty file).</summary>
    public int FileAt(long offset)
    {
        if ((ulong)offset >= (ulong)Geometry.TotalLength) throw new ArgumentOutOfRangeException(nameof(offset));
        // The last file starting at or before the offset; empty files share their start with the next file.
        var index = Array.BinarySearch(_offsets, offset);
        if (index < 0) index = ~index - 1;
        while (_lengths[index] == 0) index++;
        return index;
    }

    /// <summary>The first and last file holding bytes of the range [offset, offset + length); length must be positive.</summary>
    public (int First, int Last) FilesOf(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return (FileAt(offset), FileAt(offset + length - 1));
    }

    /// <summary>The files a piece spans (first and last; every non-empty file between them too).</summary>
    public (int First, int Last) FilesOfPiece(int piece) => FilesOf(Geometry.PieceOffset(piece), Geometry.PieceSize(piece));

    /// <summary>The pieces holding bytes of a file, or null for an empty file.</summary>
    public (int First, int Last)? PiecesOfFile(int file)
    {
        if (_lengths[file] == 0) return null;
        var length = Geometry.PieceLength;
        return ((int)(_offsets[file] / length), (int)((_offsets[file] + _lengths[file] - 1) / length));
    }

    /// <summary>How many bytes of <paramref name="piece"/> lie in <paramref name="file"/>.</summary>
    public long Overlap(int piece, int file)
    {
        var start = Math.Max(Geometry.PieceOffset(piece), _offsets[file]);
        var end = Math.Min(Geometry.PieceOffset(piece) + Geometry.PieceSize(piece), _offsets[file] + _lengths[file]);
        return Math.Max(0, end - start);
    }
}
