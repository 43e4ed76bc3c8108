using System.Buffers;
using System.Security.Cryptography;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// Hashes pieces on disk against a torrent, reading them back through <see cref="ContentFiles"/> (so a
/// piece that straddles files of a folder is read from each): a recheck asked for by the user, the
/// pieces a crash may have left wrong, or content found without its record. Runs off the engine thread
/// or before the engine serves the content.
/// </summary>
internal static class PieceCheck
{
    /// <summary>True when piece <paramref name="index"/> has the torrent's SHA-1; a piece that cannot be read (a file missing or short) does not.</summary>
    public static bool IsIntact(ContentFiles content, TorrentMetainfo torrent, int index, byte[]? scratch = null)
    {
        var size = torrent.Geometry.PieceSize(index);
        var buffer = scratch ?? ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var piece = buffer.AsSpan(0, size);
            content.ReadExactly(piece, torrent.Geometry.PieceOffset(index));
            Span<byte> digest = stackalloc byte[20];
            SHA1.HashData(piece, digest);
            return digest.SequenceEqual(torrent.GetPieceHash(index));
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            if (scratch is null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The pieces whose bytes on disk match the torrent.</summary>
    public static Bitfield Verify(TorrentMetainfo torrent, ContentFiles content, CancellationToken cancellationToken)
    {
        var verified = new Bitfield(torrent.PieceCount);
        var scratch = ArrayPool<byte>.Shared.Rent(torrent.PieceLength);
        try
        {
            for (var i = 0; i < torrent.PieceCount; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (IsIntact(content, torrent, i, scratch)) verified.Set(i);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
        return verified;
    }

    /// <summary>
    /// True when the content at <paramref name="contentPath"/> (the file, or the folder of a multi-file torrent) is
    /// exactly the torrent's: every file at its length and every piece's hash.
    /// </summary>
    public static bool ContentIsIntact(string contentPath, TorrentMetainfo torrent, CancellationToken cancellationToken)
    {
        ContentFiles content;
        try
        {
            content = ContentFiles.OpenToSeed(torrent, contentPath);
        }
        catch (InvalidOperationException)
        {
            return false; // a file missing, or not at the torrent's length
        }
        using (content) return Verify(torrent, content, cancellationToken).SetCount == torrent.PieceCount;
    }
}
