using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// Which files of a torrent the user wants, and so which pieces a download fetches: every piece
/// holding a byte of a wanted file (a piece shared with an unwanted file is fetched whole, as it
/// is verified whole). Progress counts the wanted files' bytes only (<see cref="BytesIn"/>).
/// Immutable: a new selection is a new instance.
/// </summary>
internal sealed class WantedPieces
{
    private readonly bool[]? _files; // null: every file
    private readonly long[]? _bytes; // per piece: bytes of wanted files in it (0: not wanted); null with every file
    private readonly PieceGeometry _geometry;

    private WantedPieces(PieceGeometry geometry, bool[]? files, long[]? bytes, long totalBytes)
    {
        _geometry = geometry;
        _files = files;
        _bytes = bytes;
        TotalBytes = totalBytes;
    }

    /// <summary>Every file, every piece.</summary>
    public static WantedPieces All(PieceGeometry geometry) => new(geometry, null, null, geometry.TotalLength);

    /// <summary>The files flagged in <paramref name="files"/> (one flag per file of the layout, in torrent order).</summary>
    public static WantedPieces Of(FileLayout layout, IReadOnlyList<bool> files)
    {
        if (files.Count != layout.FileCount) throw new ArgumentException($"Expected {layout.FileCount} flags, got {files.Count}.", nameof(files));
        if (files.All(f => f)) return All(layout.Geometry);
        var bytes = new long[layout.Geometry.PieceCount];
        long total = 0;
        for (var file = 0; file < files.Count; file++)
        {
            if (!files[file] || layout.PiecesOfFile(file) is not var (first, last)) continue;
            total += layout.FileLength(file);
            for (var piece = first; piece <= last; piece++) bytes[piece] += layout.Overlap(piece, file);
        }
        return new WantedPieces(layout.Geometry, [.. files], bytes, total);
    }

    /// <summary>True when every file is wanted.</summary>
    public bool IsAll => _files is null;

    /// <summary>One flag per file; null when every file is wanted.</summary>
    public IReadOnlyList<bool>? Files => _files;

    /// <summary>Bytes of the wanted files (what "done" is measured against).</summary>
    public long TotalBytes { get; }

    /// <summary>Whether file <paramref name="file"/> is wanted.</summary>
    public bool HasFile(int file) => _files is null || _files[file];

    /// <summary>Whether piece <paramref name="piece"/> is to be fetched.</summary>
    public bool Contains(int piece) => _bytes is null || _bytes[piece] > 0;

    /// <summary>Bytes of wanted files in piece <paramref name="piece"/>.</summary>
    public long BytesIn(int piece) => _bytes is null ? _geometry.PieceSize(piece) : _bytes[piece];
}
