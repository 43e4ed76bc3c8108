using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Shared.Torrents;

public class SafePathTests
{
    public static TheoryData<string[]> UnsafePaths => new()
    {
        { new[] { "..", "etc", "passwd" } },
        { new[] { "a", "..", "b" } },
        { new[] { "." } },
        { new[] { "", "x" } },
        { new[] { "/etc", "passwd" } },
        { new[] { "a/b" } },
        { new[] { "a\\b" } },
        { new[] { "C:", "x" } },
        { new[] { "CON" } },
        { Array.Empty<string>() },
        { Enumerable.Repeat("d", TorrentMetainfo.MaxPathDepth + 1).ToArray() },
    };

    [Theory]
    [MemberData(nameof(UnsafePaths))]
    public void Unsafe_relative_paths_are_refused(string[] segments)
    {
        Assert.NotNull(SafeName.PathRefusal(segments));
        Assert.Throws<ArgumentException>(() => SafeName.ResolvePathInside("/srv/storage/files/x", segments));
    }

    [Fact]
    public void Climbing_or_empty_segments_are_never_repaired()
    {
        Assert.Null(SafeName.SanitizePath(["a", "..", "b"]));
        Assert.Null(SafeName.SanitizePath(["", "b"]));
        Assert.Null(SafeName.SanitizePath(["a/b"]));
        Assert.Equal(["ab", "c"], SafeName.SanitizePath(["a:b", "c"])!); // awkward characters are dropped, as in one name
    }

    [Fact]
    public void A_nested_path_resolves_below_the_folder()
    {
        var path = SafeName.ResolvePathInside("/srv/storage/files/x", ["photos", "2026", "a.jpg"]);
        Assert.Equal("/srv/storage/files/x/photos/2026/a.jpg", path);
    }
}
