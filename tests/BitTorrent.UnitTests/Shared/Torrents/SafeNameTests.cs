using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Shared.Torrents;

public class SafeNameTests
{
    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("/etc/passwd")]
    [InlineData("\\\\server\\share")]
    [InlineData("C:\\Windows\\win.ini")]
    [InlineData("c:evil")]
    [InlineData("dir/file")]
    [InlineData("dir\\file")]
    [InlineData("bad\0name")]
    [InlineData("line\nbreak")]
    [InlineData("CON")]
    [InlineData("nul.txt")]
    [InlineData("Com1")]
    [InlineData("trailing.")]
    [InlineData(" spaced")]
    [InlineData("")]
    public void Unsafe_names_are_rejected(string name)
    {
        Assert.False(SafeName.IsValid(name, out var reason));
        Assert.False(string.IsNullOrEmpty(reason));
        Assert.Throws<ArgumentException>(() => SafeName.ResolveInside("/srv/storage/files", name));
    }

    [Theory]
    [InlineData("report.pdf")]
    [InlineData(".hidden")]
    [InlineData("my file (1).tar.gz")]
    [InlineData("película.mkv")]
    [InlineData("console.log")]
    public void Ordinary_names_are_accepted_and_stay_in_the_folder(string name)
    {
        Assert.True(SafeName.IsValid(name, out _));
        var folder = Path.Combine(Path.GetTempPath(), "storage");
        Assert.Equal(Path.Combine(Path.GetFullPath(folder), name), SafeName.ResolveInside(folder, name));
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\me\\photo.jpg", "photo.jpg")]
    [InlineData("/absolute/path/a.txt", "a.txt")]
    [InlineData("tab\there", "tabhere")]
    [InlineData("nul.txt", "_nul.txt")]
    [InlineData("name...", "name")]
    [InlineData("..", null)]
    [InlineData("dir/", null)]
    [InlineData("\u0001\u0002", null)]
    public void Sanitize_keeps_only_a_safe_last_segment(string name, string? expected)
    {
        Assert.Equal(expected, SafeName.Sanitize(name));
    }

    [Fact]
    public void Overlong_names_are_rejected()
    {
        Assert.False(SafeName.IsValid(new string('a', 256), out _));
        Assert.Equal(255, SafeName.Sanitize(new string('a', 300))!.Length);
    }
}
