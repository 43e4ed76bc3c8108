using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Torrents;
using BitTorrent.UnitTests.Peer;

namespace BitTorrent.UnitTests.Shared.Torrents;

public class WebSeedTests
{
    private const string Announce = "http://127.0.0.1:8080/announce";
    private const string Gateway = "http://127.0.0.1:5000/files";

    private static BValue? UrlList(TorrentMetainfo torrent) => ((BDictionary)BencodeReader.Decode(torrent.ToBytes()))["url-list"];

    [Fact]
    public void A_web_seed_is_listed_outside_the_info_dictionary_and_leaves_the_info_hash_unchanged()
    {
        using var folder = new TempFolder();
        var path = folder.WriteRandom("movie.mp4", 700_000);

        var plain = TorrentMetainfo.CreateFromFile(path, Announce);
        var seeded = TorrentMetainfo.CreateFromFile(path, Announce, "movie.mp4", Gateway);

        Assert.Equal(plain.InfoHash, seeded.InfoHash);
        Assert.Equal(plain.InfoDictionary.ToArray(), seeded.InfoDictionary.ToArray());
        Assert.Null(UrlList(plain));
        var list = Assert.IsType<BList>(UrlList(seeded));
        Assert.Equal($"{Gateway}/{plain.InfoHash}/", Assert.IsType<BString>(Assert.Single(list)).Text);
        // Read back by any parser, it is the same torrent.
        Assert.Equal(plain.InfoHash, TorrentMetainfo.Parse(seeded.ToBytes()).InfoHash);
    }

    [Fact]
    public void A_folder_torrent_gets_the_same_web_seed_url_shape_and_keeps_its_info_hash()
    {
        using var folder = new TempFolder();
        var a = folder.WriteRandom("a.bin", 300_000, seed: 1);
        var b = folder.WriteRandom("b.bin", 10, seed: 2);
        IReadOnlyList<(IReadOnlyList<string>, string)> files = [(["a.bin"], a), (["sub", "b.bin"], b)];

        var plain = TorrentMetainfo.CreateFromFiles("album", files, Announce);
        var seeded = TorrentMetainfo.CreateFromFiles("album", files, Announce, Gateway + "/");

        Assert.Equal(plain.InfoHash, seeded.InfoHash);
        var url = Assert.IsType<BString>(Assert.Single(Assert.IsType<BList>(UrlList(seeded)))).Text;
        Assert.Equal($"{Gateway}/{plain.InfoHash}/", url); // one slash, whatever the configured base ends with
    }
}
