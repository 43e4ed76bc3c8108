using System.Buffers;
using System.Security.Cryptography;
using BitTorrent.Shared.Torrents;
using Microsoft.Win32.SafeHandles;

namespace BitTorrent.Peer.Downloads;

/// <summary>Hashes pieces of a file on disk against a torrent: before trusting what a crash may have left, or a file found without its record.</summary>
internal static class PieceCheck
{
    /// <summary>True when piece <paramref name="index"/> of <paramref name="file"/> has the torrent's SHA-1.</summary>
    public static bool IsIntact(SafeFileHandle file, TorrentMetainfo torrent, int index)
    {
        var size = torrent.Geometry.PieceSize(index);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var piece = buffer.AsSpan(0, size);
            TorrentMetainfo.ReadExactly(file, piece, torrent.Geometry.PieceOffset(index));
            Span<byte> digest = stackalloc byte[20];
            SHA1.HashData(piece, digest);
            return digest.SequenceEqual(torrent.GetPieceHash(index));
        }
        catch (EndOfStreamException)
        {
            return false; // the file is shorter than the torrent says
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True when the file at <paramref name="path"/> is exactly the torrent's content: its length and every piece's hash.</summary>
    public static bool FileIsIntact(string path, TorrentMetainfo torrent, CancellationToken cancellationToken)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        if (RandomAccess.GetLength(file) != torrent.Length) return false;
        for (var i = 0; i < torrent.PieceCount; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsIntact(file, torrent, i)) return false;
        }
        return true;
    }
}
