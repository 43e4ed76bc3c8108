using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Transfer;

public class ContentFilesTests
{
    [Fact]
    public void A_piece_straddling_files_is_written_to_each_and_read_back_whole()
    {
        using var folder = new TempFolder();
        var sources = new[] { ("a", 100_000L), ("empty", 0L), ("b", 200_000L), ("c", 5L) }
            .Select((f, i) => ((IReadOnlyList<string>)["d", f.Item1], folder.WriteRandom(f.Item1, f.Item2, seed: i + 1))).ToList();
        var torrent = TorrentMetainfo.CreateFromFiles("album", sources, "http://127.0.0.1/announce");
        var all = sources.SelectMany(s => File.ReadAllBytes(s.Item2)).ToArray();
        var target = folder.File("download");

        using (var content = ContentFiles.OpenToDownload(torrent, target, truncate: true))
        {
            // Piece 0 (256 KiB) spans a, the empty file and b; written in two blocks with a seam inside b.
            content.Write([all.AsMemory(0, 150_000), all.AsMemory(150_000, 112_144)], 0);
            content.Write([all.AsMemory(262_144)], 262_144); // the last short piece: the end of b and all of c
            var back = new byte[all.Length];
            content.ReadExactly(back, 0);
            Assert.Equal(all, back);
            var segments = new Memory<byte>[] { new byte[99_990], new byte[20] };
            Assert.Equal(100_010, content.Read(segments, 10)); // a scatter read across the a/b seam
            Assert.Equal(all.AsSpan(10, 99_990).ToArray(), segments[0].ToArray());
            Assert.Equal(all.AsSpan(100_000, 20).ToArray(), segments[1].ToArray());
        }

        foreach (var (path, source) in sources)
            Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(Path.Combine(target, "d", path[1])));
        Assert.Equal(0, new FileInfo(Path.Combine(target, "d", "empty")).Length);
    }

    [Fact]
    public void Seeding_refuses_a_folder_with_a_file_missing_or_of_the_wrong_length()
    {
        using var folder = new TempFolder();
        var a = folder.WriteRandom("a", 1000);
        var torrent = TorrentMetainfo.CreateFromFiles("f", [(["a"], a), (["b"], a)], "http://127.0.0.1/announce");
        var root = folder.File("seed");
        Directory.CreateDirectory(root);
        File.Copy(a, Path.Combine(root, "a"));

        Assert.Throws<InvalidOperationException>(() => ContentFiles.OpenToSeed(torrent, root));
        File.WriteAllBytes(Path.Combine(root, "b"), new byte[999]);
        Assert.Throws<InvalidOperationException>(() => ContentFiles.OpenToSeed(torrent, root));
        File.Copy(a, Path.Combine(root, "b"), overwrite: true);
        using var seeded = ContentFiles.OpenToSeed(torrent, root);
        var back = new byte[2000];
        seeded.ReadExactly(back, 0);
        Assert.Equal(File.ReadAllBytes(a).Concat(File.ReadAllBytes(a)), back);
    }
}
