using System.Diagnostics.CodeAnalysis;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

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
        if (!SingleFileTorrent.TryParse(torrent, long.MaxValue, out var parsed, out error)) return false;
        if (!IsSafeFileName(parsed.Name)) return Fail("info.name is not a plain file name", out error);
        metainfo = new TorrentMetainfo(parsed.InfoHash, parsed.Name, parsed.Length, parsed.PieceLength, parsed.PieceCount);
        return true;
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
