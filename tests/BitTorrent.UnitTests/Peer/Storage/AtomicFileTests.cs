using BitTorrent.Peer.Storage;

namespace BitTorrent.UnitTests.Peer.Storage;

public class AtomicFileTests
{
    [Fact]
    public void A_write_replaces_the_file_whole_and_leaves_no_temporary_file_readable_only_by_its_owner()
    {
        using var folder = new TempFolder();
        var path = folder.File("state.json");
        File.WriteAllText(path, "old");

        AtomicFile.WriteAllBytes(path, "new content"u8);

        Assert.Equal("new content", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_write_that_fails_midway_keeps_the_old_file_and_removes_the_temporary_one()
    {
        using var folder = new TempFolder();
        var path = folder.File("library.json");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half"u8);
            throw new IOException("No space left on device");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Flushing_a_folder_that_does_not_exist_is_an_io_error()
    {
        using var folder = new TempFolder();
        if (OperatingSystem.IsWindows()) return;
        Assert.Throws<IOException>(() => AtomicFile.FlushFolder(folder.File("missing")));
    }
}
