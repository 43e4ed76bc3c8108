using System.Security.Cryptography;
using BitTorrent.Shared.Bencode;

namespace BitTorrent.UnitTests.TestDoubles;

/// <summary>Builds real single-file .torrent bytes for tests.</summary>
public static class Torrents
{
    public static byte[] SingleFile(string name, long length, long pieceLength = 16384, string announce = "http://127.0.0.1/announce", int? pieceHashes = null)
    {
        var pieces = pieceHashes ?? (int)(length / pieceLength + (length % pieceLength == 0 ? 0 : 1));
        var hashes = new byte[pieces * 20];
        RandomNumberGenerator.Fill(hashes);
        var info = new BDictionary
        {
            { "length", new BInteger(length) },
            { "name", new BString(name) },
            { "piece length", new BInteger(pieceLength) },
            { "pieces", new BString(hashes) },
        };
        return new BDictionary { { "announce", new BString(announce) }, { "info", info } }.Encode();
    }
}
