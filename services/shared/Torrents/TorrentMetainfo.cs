using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using Microsoft.Win32.SafeHandles;

namespace BitTorrent.Shared.Torrents;

/// <summary>
/// A single-file BEP 3 metainfo (.torrent): announce URL, name, length, piece length and the
/// SHA-1 of every piece. The info-hash is the SHA-1 of the info dictionary exactly as it was
/// encoded in the input, so torrents made by other programs keep their identity. The tracker
/// checks published torrents with it; the peer creates, reads and verifies against it.
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

    /// <summary>Reads a single-file .torrent (see <see cref="TryParse"/>); pieces above <see cref="MaxAcceptedPieceLength"/> are refused.</summary>
    public static TorrentMetainfo Parse(ReadOnlySpan<byte> bytes) =>
        TryParse(bytes, MaxAcceptedPieceLength, out var metainfo, out var error) ? metainfo : throw new InvalidTorrentException(error);

    /// <summary>
    /// Reads <paramref name="torrent"/>: a dictionary with an optional string <c>announce</c> and an info
    /// dictionary of one file (a non-empty <c>name</c>, a <c>length</c> ≥ 0, a <c>piece length</c> from 1 to
    /// <paramref name="maxPieceLength"/>, and the SHA-1 of every piece the length needs). False with the
    /// reason for anything else. The name is not checked against <see cref="SafeName"/> here: the tracker
    /// refuses an unsafe name, a peer downloading a file renames it.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> torrent, int maxPieceLength,
        [NotNullWhen(true)] out TorrentMetainfo? metainfo, [NotNullWhen(false)] out string? error)
    {
        metainfo = null;
        BValue root;
        try
        {
            root = BencodeReader.Decode(torrent);
        }
        catch (BencodeException e)
        {
            return Fail($"not bencoded: {e.Message}", out error);
        }
        catch (OverflowException)
        {
            // The reader lets 19-digit numbers beyond long.MaxValue overflow instead of reporting them.
            return Fail("not bencoded: number too large", out error);
        }
        if (root is not BDictionary dictionary) return Fail("a torrent is a bencoded dictionary", out error);
        if (dictionary["info"] is not BDictionary info) return Fail("missing 'info' dictionary", out error);
        if (info.ContainsKey("files")) return Fail("multi-file torrents are not supported; publish a single file", out error);

        string? announce;
        switch (dictionary["announce"])
        {
            case null: announce = null; break;
            case BString s: announce = s.Text; break;
            default: return Fail("'announce' is not a string", out error);
        }
        if (info["name"] is not BString nameValue) return Fail("info: 'name' is missing or not a string", out error);
        var name = nameValue.Text;
        if (name.Length == 0) return Fail("info: 'name' is empty", out error);
        if (info["length"] is not BInteger { Value: var length }) return Fail("info: 'length' is missing or not an integer", out error);
        if (length < 0) return Fail("info: 'length' is negative", out error);
        if (info["piece length"] is not BInteger { Value: var pieceLength }) return Fail("info: 'piece length' is missing or not an integer", out error);
        if (pieceLength <= 0) return Fail("info: 'piece length' must be positive", out error);
        if (pieceLength > maxPieceLength) return Fail($"info: 'piece length' {pieceLength} exceeds {maxPieceLength}", out error);
        if (info["pieces"] is not BString piecesValue) return Fail("info: 'pieces' is missing or not a string", out error);

        var pieces = piecesValue.Bytes;
        var pieceCount = length / pieceLength + (length % pieceLength == 0 ? 0 : 1);
        if (pieceCount > int.MaxValue / HashLength) return Fail("info: too many pieces", out error);
        if (pieces.Length != pieceCount * HashLength)
            return Fail($"info: 'pieces' holds {pieces.Length} bytes; {pieceCount} pieces need {pieceCount * HashLength}", out error);

        metainfo = new TorrentMetainfo(torrent.ToArray(), Id160.Hash(torrent[info.Source]), announce, name, length, (int)pieceLength, pieces);
        error = null;
        return true;
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
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

    /// <summary>Reads exactly destination.Length bytes at offset (positional reads loop until filled); a file that ends sooner throws.</summary>
    public static void ReadExactly(SafeFileHandle file, Span<byte> destination, long offset)
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
