using System.Buffers;
using System.Security.Cryptography;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Win32.SafeHandles;

namespace BitTorrent.Peer.Torrents;

/// <summary>
/// A single-file BEP 3 metainfo (.torrent): announce URL, name, length, piece length and the
/// SHA-1 of every piece. The info-hash is the SHA-1 of the info dictionary exactly as it was
/// encoded in the input, so torrents made by other programs keep their identity.
/// </summary>
public sealed class TorrentMetainfo
{
    public const int MinPieceLength = 256 * 1024;
    public const int MaxCreatedPieceLength = 16 * 1024 * 1024;

    /// <summary>The largest piece accepted from others; a piece is held in memory while it is fetched.</summary>
    public const int MaxAcceptedPieceLength = 32 * 1024 * 1024;

    /// <summary>Piece length grows until a file has at most this many pieces (small HAVE/bitfield traffic).</summary>
    public const int TargetMaxPieces = 1024;

    private const int HashLength = Id160.ByteLength;

    private readonly byte[] _pieceHashes;
    private readonly byte[] _encoded;

    private TorrentMetainfo(byte[] encoded, Id160 infoHash, string? announce, string name, long length, int pieceLength, byte[] pieceHashes)
    {
        _encoded = encoded;
        _pieceHashes = pieceHashes;
        InfoHash = infoHash;
        Announce = announce;
        Name = name;
        Geometry = new PieceGeometry(length, pieceLength);
    }

    public Id160 InfoHash { get; }
    public string? Announce { get; }

    /// <summary>The suggested file name, untrusted: map it through <see cref="SafeName"/> before touching a disk.</summary>
    public string Name { get; }

    public PieceGeometry Geometry { get; }
    public long Length => Geometry.TotalLength;
    public int PieceLength => Geometry.PieceLength;
    public int PieceCount => Geometry.PieceCount;

    public ReadOnlySpan<byte> GetPieceHash(int index) => _pieceHashes.AsSpan(index * HashLength, HashLength);

    /// <summary>The bencoded .torrent, byte for byte as parsed or created.</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    public byte[] ToBytes() => (byte[])_encoded.Clone();

    /// <summary>Smallest power of two ≥ 256 KiB giving at most <see cref="TargetMaxPieces"/> pieces, capped at 16 MiB.</summary>
    public static int ChoosePieceLength(long fileLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileLength);
        var pieceLength = MinPieceLength;
        while (pieceLength < MaxCreatedPieceLength && (fileLength + pieceLength - 1) / pieceLength > TargetMaxPieces)
            pieceLength *= 2;
        return pieceLength;
    }

    /// <summary>Reads a single-file .torrent (see <see cref="SingleFileTorrent.TryParse"/>); pieces above <see cref="MaxAcceptedPieceLength"/> are refused.</summary>
    public static TorrentMetainfo Parse(ReadOnlySpan<byte> bytes)
    {
        if (!SingleFileTorrent.TryParse(bytes, MaxAcceptedPieceLength, out var parsed, out var error)) throw new InvalidTorrentException(error);
        return new TorrentMetainfo(bytes.ToArray(), parsed.InfoHash, parsed.Announce, parsed.Name, parsed.Length, (int)parsed.PieceLength, parsed.PieceHashes);
    }

    /// <summary>Hashes a file into pieces with positional reads and builds its .torrent.</summary>
    public static TorrentMetainfo CreateFromFile(string path, string announceUrl, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(announceUrl);
        name ??= Path.GetFileName(path);
        if (!SafeName.IsValid(name, out var reason)) throw new ArgumentException($"'{name}' is not a safe file name: {reason}", nameof(name));

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(file);
        var pieceLength = ChoosePieceLength(length);
        var hashes = HashPieces(file, new PieceGeometry(length, pieceLength), cancellationToken);

        var info = new BDictionary
        {
            { "length", new BInteger(length) },
            { "name", new BString(name) },
            { "piece length", new BInteger(pieceLength) },
            { "pieces", new BString(hashes) },
        };
        var root = new BDictionary
        {
            { "announce", new BString(announceUrl) },
            { "created by", new BString("DD BitTorrent") },
            { "info", info },
        };
        return Parse(root.Encode());
    }

    private static byte[] HashPieces(SafeFileHandle file, PieceGeometry geometry, CancellationToken cancellationToken)
    {
        var hashes = new byte[geometry.PieceCount * HashLength];
        var buffer = ArrayPool<byte>.Shared.Rent(geometry.PieceLength);
        try
        {
            for (var index = 0; index < geometry.PieceCount; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var piece = buffer.AsSpan(0, geometry.PieceSize(index));
                ReadExactly(file, piece, geometry.PieceOffset(index));
                SHA1.HashData(piece, hashes.AsSpan(index * HashLength, HashLength));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return hashes;
    }

    internal static void ReadExactly(SafeFileHandle file, Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(file, destination, offset);
            if (read == 0) throw new EndOfStreamException($"file ended before offset {offset}");
            destination = destination[read..];
            offset += read;
        }
    }
}
