using System.Security.Cryptography;
using System.Text;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using BitTorrent.UnitTests.Peer;

namespace BitTorrent.UnitTests.Shared.Torrents;

public class TorrentMetainfoTests
{
    private const string Announce = "http://127.0.0.1:8080/announce";

    [Fact]
    public void Created_torrent_round_trips_and_hashes_every_piece()
    {
        using var folder = new TempFolder();
        var length = TorrentMetainfo.MinPieceLength * 2 + 123;
        var path = folder.WriteRandom("data.bin", length);

        var torrent = TorrentMetainfo.CreateFromFile(path, Announce);
        var parsed = TorrentMetainfo.Parse(torrent.ToBytes());

        Assert.Equal(torrent.InfoHash, parsed.InfoHash);
        Assert.Equal("data.bin", parsed.Name);
        Assert.Equal(Announce, parsed.Announce);
        Assert.Equal(length, parsed.Length);
        Assert.Equal(TorrentMetainfo.MinPieceLength, parsed.PieceLength);
        Assert.Equal(3, parsed.PieceCount);
        Assert.Equal(123, parsed.Geometry.PieceSize(2));
        var content = File.ReadAllBytes(path);
        for (var i = 0; i < parsed.PieceCount; i++)
        {
            var piece = content.AsSpan((int)parsed.Geometry.PieceOffset(i), parsed.Geometry.PieceSize(i));
            Assert.Equal(SHA1.HashData(piece), parsed.GetPieceHash(i).ToArray());
        }
    }

    [Fact]
    public void Info_hash_is_sha1_of_the_info_dictionary_bytes_as_given()
    {
        var info = "d6:lengthi5e4:name1:a12:piece lengthi262144e6:pieces20:" + new string('x', 20) + "e";
        var bytes = Encoding.ASCII.GetBytes("d8:announce3:url4:info" + info + "e");

        var torrent = TorrentMetainfo.Parse(bytes);

        Assert.Equal(Id160.Hash(Encoding.ASCII.GetBytes(info)), torrent.InfoHash);
        Assert.Equal(bytes, torrent.ToBytes());
    }

    [Fact]
    public void Empty_file_has_no_pieces()
    {
        using var folder = new TempFolder();
        var path = folder.WriteRandom("empty.txt", 0);

        var torrent = TorrentMetainfo.Parse(TorrentMetainfo.CreateFromFile(path, Announce).ToBytes());

        Assert.Equal(0, torrent.Length);
        Assert.Equal(0, torrent.PieceCount);
    }

    [Theory]
    [InlineData(0L, 256 * 1024)]
    [InlineData(256L * 1024 * 1024, 256 * 1024)]
    [InlineData(256L * 1024 * 1024 + 1, 512 * 1024)]
    [InlineData(1L << 30, 1024 * 1024)]
    [InlineData(1L << 40, 16 * 1024 * 1024)]
    public void Piece_length_is_a_power_of_two_between_256_KiB_and_16_MiB(long fileLength, int expected)
    {
        var pieceLength = TorrentMetainfo.ChoosePieceLength(fileLength);

        Assert.Equal(expected, pieceLength);
        Assert.True(System.Numerics.BitOperations.IsPow2(pieceLength));
        if (pieceLength < TorrentMetainfo.MaxCreatedPieceLength)
            Assert.True(new PieceGeometry(fileLength, pieceLength).PieceCount <= TorrentMetainfo.TargetMaxPieces);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "not bencode", "not bencoded" },
        { "li1ee", "dictionary" },
        { "d8:announce3:urle", "info" },
        { "d4:infod5:filesle4:name1:a12:piece lengthi1e6:pieces0:ee", "multi-file" },
        { "d4:infod6:lengthi-1e4:name1:a12:piece lengthi1e6:pieces0:ee", "negative" },
        { "d4:infod6:lengthi1e4:name1:a12:piece lengthi0e6:pieces0:ee", "positive" },
        { "d4:infod6:lengthi1e4:name1:a12:piece lengthi1e6:pieces19:xxxxxxxxxxxxxxxxxxxee", "pieces" },
        { "d4:infod6:lengthi1e12:piece lengthi1e6:pieces0:ee", "name" },
        { "d4:infod6:lengthi0e4:name0:12:piece lengthi1e6:pieces0:ee", "empty" },
        { "d4:infod6:lengthi9999999999999999999e4:name1:a12:piece lengthi1e6:pieces0:ee", "too large" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_torrents_are_rejected_with_a_reason(string text, string reason)
    {
        var error = Assert.Throws<InvalidTorrentException>(() => TorrentMetainfo.Parse(Encoding.ASCII.GetBytes(text)));
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Created_torrent_is_canonical_bencode()
    {
        using var folder = new TempFolder();
        var torrent = TorrentMetainfo.CreateFromFile(folder.WriteRandom("c.bin", 1000), Announce);

        var decoded = BencodeReader.Decode(torrent.Encoded);

        Assert.Equal(torrent.ToBytes(), decoded.Encode());
    }
}
