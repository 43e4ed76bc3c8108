using BitTorrent.Peer.Sharing;

namespace BitTorrent.UnitTests.Peer.Sharing;

public class FolderPathsTests
{
    [Fact]
    public void Uploads_below_one_folder_name_the_torrent_after_it()
    {
        var paths = Publisher.FolderPaths(["photos/2026/a.jpg", "photos/b.txt", "photos\\sub\\c"], null, out var folder);

        Assert.Equal("photos", folder);
        Assert.Equal(["2026/a.jpg", "b.txt", "sub/c"], paths.Select(p => string.Join('/', p)));
    }

    [Fact]
    public void A_given_name_collects_loose_files()
    {
        var paths = Publisher.FolderPaths(["a.txt", "b/c.txt"], "bundle", out var folder);

        Assert.Equal("bundle", folder);
        Assert.Equal(["a.txt", "b/c.txt"], paths.Select(p => string.Join('/', p)));
    }

    [Theory]
    [InlineData("photos/../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("C:\\Windows\\win.ini")]
    [InlineData("photos//a")]
    [InlineData("photos/./a")]
    public void Climbing_absolute_or_empty_paths_are_refused(string path)
    {
        Assert.Throws<PublishException>(() => Publisher.FolderPaths(["photos/ok.txt", path], null, out _));
    }

    [Fact]
    public void Files_in_two_folders_or_twice_the_same_path_are_refused()
    {
        Assert.Throws<PublishException>(() => Publisher.FolderPaths(["one/a", "two/b"], null, out _));
        Assert.Throws<PublishException>(() => Publisher.FolderPaths(["one/a", "one/a"], null, out _));
        Assert.Throws<PublishException>(() => Publisher.FolderPaths(["a", "b"], null, out _));
    }
}
