using System.Diagnostics.CodeAnalysis;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Shared.Torrents;

/// <summary>
/// A single-file BEP 3 .torrent as read and checked, the one parser behind the tracker's validation of a
/// published torrent and the peer's metainfo. The info-hash is the SHA-1 of the info dictionary's bytes
/// exactly as they were received, so torrents made by other programs keep their identity.
/// </summary>
public sealed record SingleFileTorrent(Id160 InfoHash, string? Announce, string Name, long Length, long PieceLength, int PieceCount, byte[] PieceHashes)
{
    /// <summary>
    /// Reads <paramref name="torrent"/>: a dictionary with an optional string <c>announce</c> and an info
    /// dictionary of one file (a non-empty <c>name</c>, a <c>length</c> ≥ 0, a <c>piece length</c> from 1 to
    /// <paramref name="maxPieceLength"/>, and the SHA-1 of every piece the length needs). The name is not
    /// checked for safety here: what is safe depends on where it goes.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> torrent, long maxPieceLength,
        [NotNullWhen(true)] out SingleFileTorrent? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
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
        if (pieceCount > int.MaxValue / Id160.ByteLength) return Fail("info: too many pieces", out error);
        if (pieces.Length != pieceCount * Id160.ByteLength)
            return Fail($"info: 'pieces' holds {pieces.Length} bytes; {pieceCount} pieces need {pieceCount * Id160.ByteLength}", out error);

        parsed = new SingleFileTorrent(Id160.Hash(torrent[info.Source]), announce, name, length, pieceLength, (int)pieceCount, pieces);
        error = null;
        return true;
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
