using System.Buffers;
using System.Security.Cryptography;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>Verifies every piece of a torrent against its SHA-1 by reading the files back (a recheck, off the engine thread).</summary>
internal static class PieceRecheck
{
    /// <summary>The pieces whose bytes on disk match the torrent; a piece that cannot be read (a file missing or short) does not.</summary>
    public static Bitfield Verify(TorrentMetainfo torrent, ContentFiles content, CancellationToken cancellationToken)
    {
        var verified = new Bitfield(torrent.PieceCount);
        var buffer = ArrayPool<byte>.Shared.Rent(torrent.PieceLength);
        Span<byte> digest = stackalloc byte[20];
        try
        {
            for (var i = 0; i < torrent.PieceCount; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var piece = buffer.AsSpan(0, torrent.Geometry.PieceSize(i));
                try
                {
                    content.ReadExactly(piece, torrent.Geometry.PieceOffset(i));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                SHA1.HashData(piece, digest);
                if (digest.SequenceEqual(torrent.GetPieceHash(i))) verified.Set(i);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return verified;
    }
}
