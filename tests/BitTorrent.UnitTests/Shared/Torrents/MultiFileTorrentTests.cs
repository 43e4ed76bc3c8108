using System.Security.Cryptography;
using System.Text;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Torrents;
using BitTorrent.UnitTests.Peer;

namespace BitTorrent.UnitTests.Shared.Torrents;

public class MultiFileTorrentTests
{
    private const string Announce = "http://127.0.0.1:8080/announce";

    [Fact]
    public void A_folder_torrent_hashes_pieces_across_file_boundaries_and_round_trips()
    {
        using var folder = new TempFolder();
        var a = folder.WriteRandom("a.bin", 300_000, seed: 1);
        var empty = folder.WriteRandom("empty.bin", 0);
        var b = folder.WriteRandom("b.bin", 250_000, seed: 2);
        var torrent = TorrentMetainfo.CreateFromFiles("album",
            [(["a.bin"], a), (["sub", "empty.bin"], empty), (["sub", "deeper", "b.bin"], b)], Announce);
        var parsed = TorrentMetainfo.Parse(torrent.ToBytes());

        Assert.True(parsed.IsMultiFile);
        Assert.Equal(torrent.InfoHash, parsed.InfoHash);
        Assert.Equal("album", parsed.Name);
        Assert.Equal(550_000, parsed.Length);
        Assert.Equal(["a.bin", "sub/empty.bin", "sub/deeper/b.bin"], parsed.Files.Select(f => f.DisplayPath));
        Assert.Equal([0L, 300_000, 300_000], parsed.Files.Select(f => f.Offset));
        var all = File.ReadAllBytes(a).Concat(File.ReadAllBytes(b)).ToArray();
        for (var i = 0; i < parsed.PieceCount; i++)
        {
            var piece = all.AsSpan((int)parsed.Geometry.PieceOffset(i), parsed.Geometry.PieceSize(i));
            Assert.Equal(SHA1.HashData(piece), parsed.GetPieceHash(i).ToArray());
        }
        Assert.Equal(Id160Of(parsed.InfoDictionary), parsed.InfoHash.ToString());
    }

    [Fact]
    public void One_file_without_a_folder_keeps_its_single_file_torrent()
    {
        using var folder = new TempFolder();
        var path = folder.WriteRandom("data.bin", 100_000);
        var torrent = TorrentMetainfo.CreateFromFile(path, Announce);

        Assert.False(torrent.IsMultiFile);
        var info = (BDictionary)((BDictionary)BencodeReader.Decode(torrent.ToBytes()))["info"]!;
        Assert.False(info.ContainsKey("files"));
        Assert.Equal(Encoding.ASCII.GetBytes("d6:lengthi100000e4:name8:data.bin12:piece lengthi262144e6:pieces20:"),
            torrent.InfoDictionary[..^21].ToArray()); // the same info dictionary as ever: length, name, piece length, pieces
        Assert.Equal(["data.bin"], torrent.Files.Select(f => f.DisplayPath));
    }

    [Theory]
    [InlineData("d4:infod5:filesl" + "d6:lengthi1e4:pathl0:ee" + "e4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "empty or non-string path segment")]
    [InlineData("d4:infod5:filesl" + "d6:lengthi1e4:pathlee" + "e4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "no 'path' list")]
    [InlineData("d4:infod5:filesl" + "d6:lengthi-1e4:pathl1:xee" + "e4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "no 'length'")]
    [InlineData("d4:infod5:filesl" + "i1e" + "e4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "not a dictionary")]
    [InlineData("d4:infod5:filesl" + "d6:lengthi1e4:pathl1:xee" + "e6:lengthi1e4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "both 'length' and 'files'")]
    [InlineData("d4:infod5:filesl" + "d6:lengthi2e4:pathl1:xee" + "e4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "2 pieces need 40")]
    [InlineData("d4:infod12:meta versioni2e4:name1:a12:piece lengthi16384eee", "v2-only")]
    public void Malformed_folder_torrents_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(TorrentMetainfo.TryParse(Encoding.UTF8.GetBytes(text), TorrentMetainfo.MaxAcceptedPieceLength, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Hostile_paths_parse_but_are_refused_by_the_path_checks()
    {
        var text = "d4:infod5:filesl" + "d6:lengthi1e4:pathl2:..6:passwdee" + "e4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee";
        var torrent = TorrentMetainfo.Parse(Encoding.UTF8.GetBytes(text));

        Assert.NotNull(SafeName.PathRefusal(torrent.Files[0].Path));
        Assert.Null(SafeName.SanitizePath(torrent.Files[0].Path));
        Assert.Throws<ArgumentException>(() => SafeName.ResolvePathInside("/srv/files/x", torrent.Files[0].Path));
    }

    [Fact]
    public void Metadata_from_a_peer_rebuilds_the_torrent_with_the_same_info_hash()
    {
        using var folder = new TempFolder();
        var a = folder.WriteRandom("a.bin", 1000);
        var torrent = TorrentMetainfo.CreateFromFiles("f", [(["a.bin"], a)], Announce);

        Assert.True(TorrentMetainfo.TryFromInfoDictionary(torrent.InfoDictionary, "http://other/announce", out var rebuilt, out _));
        Assert.Equal(torrent.InfoHash, rebuilt.InfoHash);
        Assert.Equal("http://other/announce", rebuilt.Announce);
    }

    private static string Id160Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA1.HashData(bytes));
}
