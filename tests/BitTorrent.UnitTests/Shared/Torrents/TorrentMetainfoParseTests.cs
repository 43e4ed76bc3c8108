using System.Security.Cryptography;
using System.Text;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Shared.Torrents;

/// <summary>Reading a .torrent: <see cref="TorrentMetainfo.TryParse"/>, shared by the tracker and the peer.</summary>
public sealed class TorrentMetainfoParseTests
{
    private static byte[] Torrent(long length, long pieceLength, BValue? announce = null, string name = "a.bin")
    {
        var pieces = (length + pieceLength - 1) / pieceLength;
        var info = new BDictionary
        {
            { "length", new BInteger(length) },
            { "name", new BString(name) },
            { "piece length", new BInteger(pieceLength) },
            { "pieces", new BString(new byte[pieces * 20]) },
        };
        var root = new BDictionary { { "info", info } };
        if (announce is not null) root.Add("announce", announce);
        return root.Encode();
    }

    [Fact]
    public void A_valid_torrent_reads_with_the_sha1_of_its_info_bytes_as_received()
    {
        // Keys out of canonical order: the info-hash must be of these bytes, not of a re-encoding.
        var text = "d8:announce9:http://x/4:infod6:lengthi5e4:name1:a12:piece lengthi4e6:pieces40:"
            + new string('p', 40) + "ee";
        var bytes = Encoding.ASCII.GetBytes(text);

        Assert.True(TorrentMetainfo.TryParse(bytes, int.MaxValue, out var parsed, out var error), error);

        var infoStart = text.IndexOf("d6:length", StringComparison.Ordinal);
        var expected = Id160.Hash(bytes.AsSpan(infoStart, text.Length - 1 - infoStart));
        Assert.Equal(expected, parsed.InfoHash);
        Assert.Equal(("http://x/", "a", 5L, 4, 2), (parsed.Announce, parsed.Name, parsed.Length, parsed.PieceLength, parsed.PieceCount));
        Assert.Equal(new string('p', 40), Encoding.ASCII.GetString(parsed.GetPieceHash(0)) + Encoding.ASCII.GetString(parsed.GetPieceHash(1)));
        Assert.Equal(SHA1.HashData(bytes.AsSpan(infoStart, text.Length - 1 - infoStart)), parsed.InfoHash.ToByteArray());
    }

    [Fact]
    public void An_empty_file_has_no_pieces_and_no_announce_is_allowed()
    {
        Assert.True(TorrentMetainfo.TryParse(Torrent(0, 16384), int.MaxValue, out var parsed, out _));
        Assert.Equal((0, (string?)null), (parsed.PieceCount, parsed.Announce));
    }

    [Fact]
    public void A_piece_length_above_the_callers_limit_is_refused()
    {
        Assert.True(TorrentMetainfo.TryParse(Torrent(10, 1 << 20), 1 << 20, out _, out _));
        Assert.False(TorrentMetainfo.TryParse(Torrent(10, 2 << 20), 1 << 20, out _, out var error));
        Assert.Contains("exceeds", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_announce_that_is_not_a_string_is_refused()
    {
        Assert.False(TorrentMetainfo.TryParse(Torrent(1, 1, announce: new BInteger(3)), int.MaxValue, out _, out var error));
        Assert.Contains("announce", error, StringComparison.Ordinal);
    }
}
