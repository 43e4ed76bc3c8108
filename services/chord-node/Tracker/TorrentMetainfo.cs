using System.Diagnostics.CodeAnalysis;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>What the tracker needs of a single-file BEP 3 .torrent, validated.</summary>
public sealed record TorrentMetainfo(Id160 InfoHash, string Name, long Length, long PieceLength, int PieceCount)
{
    /// <summary>
    /// Validates a bencoded single-file torrent: an info dictionary with a safe name, a length, a piece
    /// length and SHA-1 piece hashes that match the length. The info-hash is the SHA-1 of the info
    /// dictionary's bytes exactly as they were received.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> torrent, [NotNullWhen(true)] out TorrentMetainfo? metainfo, [NotNullWhen(false)] out string? error)
    {
        metainfo = null;
        try
        {
            if (BencodeReader.Decode(torrent) is not BDictionary root)
                return Fail("a torrent is a bencoded dictionary", out error);
            var info = root.Require<BDictionary>("info");
            if (info.ContainsKey("files"))
                return Fail("multi-file torrents are not supported", out error);
            var name = info.Require<BString>("name").Text;
            if (!IsSafeFileName(name))
                return Fail("info.name is not a plain file name", out error);
            var length = info.Require<BInteger>("length").Value;
            if (length < 0)
                return Fail("info.length is negative", out error);
            var pieceLength = info.Require<BInteger>("piece length").Value;
            if (pieceLength <= 0)
                return Fail("info.piece length must be positive", out error);
            var pieces = info.Require<BString>("pieces").Bytes;
            if (pieces.Length % Id160.ByteLength != 0)
                return Fail("info.pieces is not a whole number of SHA-1 hashes", out error);
            var expectedPieces = length / pieceLength + (length % pieceLength == 0 ? 0 : 1);
            if (pieces.Length / Id160.ByteLength != expectedPieces)
                return Fail($"info.pieces holds {pieces.Length / Id160.ByteLength} hashes but the length needs {expectedPieces}", out error);

            var infoHash = Id160.Hash(torrent[info.Source]);
            metainfo = new TorrentMetainfo(infoHash, name, length, pieceLength, (int)expectedPieces);
            error = null;
            return true;
        }
        catch (BencodeException e)
        {
            return Fail(e.Message, out error);
        }
    }

    /// <summary>A name that stays one file inside a folder on every platform.</summary>
    public static bool IsSafeFileName(string name) =>
        name.Length is > 0 and <= 255
        && name is not "." and not ".."
        && !name.AsSpan().ContainsAny(UnsafeNameChars)
        && !name.Any(char.IsControl)
        && name.Trim().Length == name.Length;

    private static readonly System.Buffers.SearchValues<char> UnsafeNameChars =
        System.Buffers.SearchValues.Create("/\\:*?\"<>|");

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
