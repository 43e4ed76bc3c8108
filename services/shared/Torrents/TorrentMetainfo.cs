using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using Microsoft.Win32.SafeHandles;

namespace BitTorrent.Shared.Torrents;

/// <summary>
/// A BEP 3 metainfo (.torrent): announce URL, name, piece length, the SHA-1 of every piece, and
/// either one file (<c>length</c>) or a folder of files (<c>files</c>, each with a length and a
/// path below the folder <c>name</c>). The info-hash is the SHA-1 of the info dictionary exactly as
/// it was encoded in the input, so torrents made by other programs keep their identity. The tracker
/// checks published torrents with it; the peer creates, reads and verifies against it. A torrent made here may
/// name a web seed (BEP 19 <c>url-list</c>), outside the info dictionary, so it does not change the info-hash.
/// </summary>
public sealed class TorrentMetainfo
{
    public const int MinPieceLength = 256 * 1024;
    public const int MaxCreatedPieceLength = 16 * 1024 * 1024;

    /// <summary>The largest piece accepted from others; a piece is held in memory while it is fetched.</summary>
    public const int MaxAcceptedPieceLength = 32 * 1024 * 1024;

    /// <summary>Piece length grows until a file has at most this many pieces (small HAVE/bitfield traffic).</summary>
    public const int TargetMaxPieces = 1024;

    /// <summary>The most files a torrent may list (a bound on what a hostile torrent makes us allocate).</summary>
    public const int MaxFiles = 100_000;

    /// <summary>The most path segments one file may have.</summary>
    public const int MaxPathDepth = 64;

    private const int HashLength = Id160.ByteLength;

    private readonly byte[] _pieceHashes;
    private readonly byte[] _encoded;
    private readonly Range _info;

    private TorrentMetainfo(byte[] encoded, Range info, string? announce, string name, int pieceLength, byte[] pieceHashes,
        IReadOnlyList<TorrentFile> files, bool isMultiFile)
    {
        _encoded = encoded;
        _info = info;
        _pieceHashes = pieceHashes;
        InfoHash = Id160.Hash(encoded.AsSpan()[info]);
        Announce = announce;
        Name = name;
        Files = files;
        IsMultiFile = isMultiFile;
        var length = files.Count == 0 ? 0 : files[^1].Offset + files[^1].Length;
        Geometry = new PieceGeometry(length, pieceLength);
        Layout = new FileLayout(Geometry, [.. files.Select(f => f.Length)]);
    }

    public Id160 InfoHash { get; }
    public string? Announce { get; }

    /// <summary>The suggested file name, untrusted: map it through <see cref="SafeName"/> before touching a disk.</summary>
    public string Name { get; }

    public PieceGeometry Geometry { get; }

    /// <summary>The files in torrent order; one (named <see cref="Name"/>) for a single-file torrent.</summary>
    public IReadOnlyList<TorrentFile> Files { get; }

    /// <summary>True for a torrent with a <c>files</c> list: its files live in a folder named <see cref="Name"/>.</summary>
    public bool IsMultiFile { get; }

    /// <summary>Which pieces fall in which files.</summary>
    public FileLayout Layout { get; }

    /// <summary>Total length of every file.</summary>
    public long Length => Geometry.TotalLength;
    public int PieceLength => Geometry.PieceLength;
    public int PieceCount => Geometry.PieceCount;

    public ReadOnlySpan<byte> GetPieceHash(int index) => _pieceHashes.AsSpan(index * HashLength, HashLength);

    /// <summary>The bencoded .torrent, byte for byte as parsed or created.</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>The info dictionary as encoded (its SHA-1 is the info-hash): what BEP 9 peers exchange as "metadata".</summary>
    public ReadOnlySpan<byte> InfoDictionary => _encoded.AsSpan()[_info];

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

    /// <summary>Reads a .torrent (see <see cref="TryParse"/>); pieces above <see cref="MaxAcceptedPieceLength"/> are refused.</summary>
    public static TorrentMetainfo Parse(ReadOnlySpan<byte> bytes) =>
        TryParse(bytes, MaxAcceptedPieceLength, out var metainfo, out var error) ? metainfo : throw new InvalidTorrentException(error);

    /// <summary>
    /// Reads <paramref name="torrent"/>: a dictionary with an optional string <c>announce</c> and an info
    /// dictionary with a non-empty <c>name</c>, a <c>piece length</c> from 1 to <paramref name="maxPieceLength"/>,
    /// the SHA-1 of every piece, and either a <c>length</c> ≥ 0 (one file) or a <c>files</c> list (a folder;
    /// at most <see cref="MaxFiles"/>). False with the reason for anything else, including a v2-only torrent
    /// (no SHA-1 pieces). Names are not checked against <see cref="SafeName"/> here: the tracker refuses
    /// unsafe ones, a peer downloading a torrent renames or refuses them.
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
        if (info["piece length"] is not BInteger { Value: var pieceLength }) return Fail("info: 'piece length' is missing or not an integer", out error);
        if (pieceLength <= 0) return Fail("info: 'piece length' must be positive", out error);
        if (pieceLength > maxPieceLength) return Fail($"info: 'piece length' {pieceLength} exceeds {maxPieceLength}", out error);
        if (info["pieces"] is not BString piecesValue)
        {
            return info["meta version"] is BInteger { Value: 2 }
                ? Fail("a v2-only torrent (BEP 52): it has no SHA-1 piece hashes to verify against; use a v1 or hybrid torrent", out error)
                : Fail("info: 'pieces' is missing or not a string", out error);
        }

        var multiFile = info.ContainsKey("files");
        List<TorrentFile> files;
        if (multiFile)
        {
            if (info.ContainsKey("length")) return Fail("info: both 'length' and 'files' (a torrent is one file or a folder)", out error);
            if (!TryReadFiles(info["files"], out files!, out error)) return false;
        }
        else
        {
            if (info["length"] is not BInteger { Value: var single }) return Fail("info: 'length' is missing or not an integer", out error);
            if (single < 0) return Fail("info: 'length' is negative", out error);
            files = [new TorrentFile([name], single, 0)];
        }
        var length = files[^1].Offset + files[^1].Length;

        var pieces = piecesValue.Bytes;
        var pieceCount = length / pieceLength + (length % pieceLength == 0 ? 0 : 1);
        if (pieceCount > int.MaxValue / HashLength) return Fail("info: too many pieces", out error);
        if (pieces.Length != pieceCount * HashLength)
            return Fail($"info: 'pieces' holds {pieces.Length} bytes; {pieceCount} pieces need {pieceCount * HashLength}", out error);

        metainfo = new TorrentMetainfo(torrent.ToArray(), info.Source, announce, name, (int)pieceLength, pieces, files, multiFile);
        error = null;
        return true;
    }

    /// <summary>BEP 3's <c>files</c>: a non-empty list of dictionaries with a <c>length</c> ≥ 0 and a non-empty <c>path</c> list of non-empty strings.</summary>
    private static bool TryReadFiles(BValue? value, [NotNullWhen(true)] out List<TorrentFile>? files, [NotNullWhen(false)] out string? error)
    {
        files = null;
        if (value is not BList list) return Fail("info: 'files' of a multi-file torrent is not a list", out error);
        if (list.Count == 0) return Fail("info: 'files' of a multi-file torrent is empty", out error);
        if (list.Count > MaxFiles) return Fail($"info: more than {MaxFiles} files", out error);
        files = new List<TorrentFile>(list.Count);
        long offset = 0;
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not BDictionary entry) return Fail($"info: files[{i}] is not a dictionary", out error);
            if (entry["length"] is not BInteger { Value: var length } || length < 0) return Fail($"info: files[{i}] has no 'length' ≥ 0", out error);
            if (entry["path"] is not BList { Count: > 0 } path) return Fail($"info: files[{i}] has no 'path' list", out error);
            if (path.Count > MaxPathDepth) return Fail($"info: files[{i}] is nested deeper than {MaxPathDepth} folders", out error);
            var segments = new string[path.Count];
            for (var k = 0; k < segments.Length; k++)
            {
                if (path[k] is not BString { Bytes.Length: > 0 } segment) return Fail($"info: files[{i}] has an empty or non-string path segment", out error);
                segments[k] = segment.Text;
            }
            if (long.MaxValue - offset < length) return Fail("info: the files are too large together", out error);
            files.Add(new TorrentFile(segments, length, offset));
            offset += length;
        }
        error = null;
        return true;
    }

    /// <summary>
    /// A torrent from an info dictionary a peer sent (BEP 9 "metadata") and an announce URL: the bytes
    /// are kept as they came, so the info-hash is theirs; the caller compares it with the one it asked for.
    /// </summary>
    public static bool TryFromInfoDictionary(ReadOnlySpan<byte> info, string? announce,
        [NotNullWhen(true)] out TorrentMetainfo? metainfo, [NotNullWhen(false)] out string? error)
    {
        var root = new List<byte>(info.Length + 64) { (byte)'d' };
        if (announce is not null)
        {
            root.AddRange("8:announce"u8.ToArray());
            var url = System.Text.Encoding.UTF8.GetBytes(announce);
            root.AddRange(System.Text.Encoding.ASCII.GetBytes(url.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":"));
            root.AddRange(url);
        }
        root.AddRange("4:info"u8.ToArray());
        root.AddRange(info.ToArray());
        root.Add((byte)'e');
        return TryParse(root.ToArray(), MaxAcceptedPieceLength, out metainfo, out error);
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }

    /// <summary>Hashes a file into pieces with positional reads and builds its single-file .torrent.</summary>
    public static TorrentMetainfo CreateFromFile(string path, string announceUrl, string? name = null, CancellationToken cancellationToken = default) =>
        CreateFromFile(path, announceUrl, name, webSeedBase: null, cancellationToken);

    /// <summary>
    /// As above; with <paramref name="webSeedBase"/> (e.g. the gateway's <c>http://host/files</c>) the torrent lists
    /// <see cref="WebSeedUrl"/> as its BEP 19 web seed.
    /// </summary>
    public static TorrentMetainfo CreateFromFile(string path, string announceUrl, string? name, string? webSeedBase, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(announceUrl);
        name ??= Path.GetFileName(path);
        if (!SafeName.IsValid(name, out var reason)) throw new ArgumentException($"'{name}' is not a safe file name: {reason}", nameof(name));

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(file);
        var pieceLength = ChoosePieceLength(length);
        var hashes = HashPieces([file], [length], pieceLength, cancellationToken);

        var info = new BDictionary
        {
            { "length", new BInteger(length) },
            { "name", new BString(name) },
            { "piece length", new BInteger(pieceLength) },
            { "pieces", new BString(hashes) },
        };
        return Build(info, announceUrl, webSeedBase);
    }

    /// <summary>
    /// Hashes a folder of files (in the order given, pieces running across file boundaries) and builds its
    /// multi-file .torrent named <paramref name="name"/>. Every name and path segment must be a <see cref="SafeName"/>.
    /// </summary>
    public static TorrentMetainfo CreateFromFiles(string name, IReadOnlyList<(IReadOnlyList<string> Path, string Source)> files, string announceUrl,
        CancellationToken cancellationToken = default) =>
        CreateFromFiles(name, files, announceUrl, webSeedBase: null, cancellationToken);

    /// <summary>As above, listing <see cref="WebSeedUrl"/> as the BEP 19 web seed when <paramref name="webSeedBase"/> is given.</summary>
    public static TorrentMetainfo CreateFromFiles(string name, IReadOnlyList<(IReadOnlyList<string> Path, string Source)> files, string announceUrl,
        string? webSeedBase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(announceUrl);
        if (files.Count == 0 || files.Count > MaxFiles) throw new ArgumentException($"A folder torrent has 1 to {MaxFiles} files.", nameof(files));
        if (!SafeName.IsValid(name, out var reason)) throw new ArgumentException($"'{name}' is not a safe file name: {reason}", nameof(name));
        foreach (var (path, _) in files)
            if (SafeName.PathRefusal(path) is { } refusal) throw new ArgumentException($"'{string.Join('/', path)}' is not a safe path: {refusal}", nameof(files));

        var handles = new List<SafeFileHandle>(files.Count);
        try
        {
            var lengths = new long[files.Count];
            foreach (var (_, source) in files)
            {
                handles.Add(File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan));
                lengths[handles.Count - 1] = RandomAccess.GetLength(handles[^1]);
            }
            var pieceLength = ChoosePieceLength(lengths.Sum());
            var hashes = HashPieces(handles, lengths, pieceLength, cancellationToken);
            var list = new BList();
            for (var i = 0; i < files.Count; i++)
                list.Add(new BDictionary { { "length", new BInteger(lengths[i]) }, { "path", new BList(files[i].Path.Select(p => (BValue)new BString(p))) } });
            var info = new BDictionary
            {
                { "files", list },
                { "name", new BString(name) },
                { "piece length", new BInteger(pieceLength) },
                { "pieces", new BString(hashes) },
            };
            return Build(info, announceUrl, webSeedBase);
        }
        finally
        {
            foreach (var handle in handles) handle.Dispose();
        }
    }

    private static TorrentMetainfo Build(BDictionary info, string announceUrl, string? webSeedBase)
    {
        var root = new BDictionary
        {
            { "announce", new BString(announceUrl) },
            { "created by", new BString("DD BitTorrent") },
            { "info", info },
        };
        // The web seed's url names the info-hash, the SHA-1 of the info dictionary as encoded here (url-list is outside it).
        if (webSeedBase is not null) root.Add("url-list", new BList { new BString(WebSeedUrl(webSeedBase, Id160.Hash(info.Encode()))) });
        return Parse(root.Encode());
    }

    /// <summary>
    /// A torrent's BEP 19 web seed under <paramref name="webSeedBase"/>: <c>{base}/{infoHash}/</c>. It ends in '/', so
    /// clients append the torrent's name (a single file) or name and path (a folder's file), and the gateway's
    /// <c>/files/{infoHash}/{**path}</c> answers both.
    /// </summary>
    public static string WebSeedUrl(string webSeedBase, Id160 infoHash)
    {
        ArgumentNullException.ThrowIfNull(webSeedBase);
        return $"{webSeedBase.TrimEnd('/')}/{infoHash}/";
    }

    /// <summary>Bytes read and hashed at a time: a piece is hashed incrementally, so a large piece needs no buffer of its size.</summary>
    private const int HashReadBytes = 1 << 16;

    /// <summary>SHA-1 of every piece of the files read one after the other (a piece may span several files).</summary>
    private static byte[] HashPieces(IReadOnlyList<SafeFileHandle> files, IReadOnlyList<long> lengths, int pieceLength, CancellationToken cancellationToken)
    {
        var geometry = new PieceGeometry(lengths.Sum(), pieceLength);
        var hashes = new byte[geometry.PieceCount * HashLength];
        Span<byte> chunk = new byte[HashReadBytes];
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        var file = 0;
        long offsetInFile = 0;
        for (var index = 0; index < geometry.PieceCount; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = geometry.PieceSize(index);
            while (remaining > 0)
            {
                while (offsetInFile == lengths[file])
                {
                    file++;
                    offsetInFile = 0;
                }
                var take = (int)Math.Min(Math.Min(remaining, HashReadBytes), lengths[file] - offsetInFile);
                var part = chunk[..take];
                ReadExactly(files[file], part, offsetInFile);
                sha1.AppendData(part);
                remaining -= take;
                offsetInFile += take;
            }
            sha1.GetHashAndReset(hashes.AsSpan(index * HashLength, HashLength));
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
