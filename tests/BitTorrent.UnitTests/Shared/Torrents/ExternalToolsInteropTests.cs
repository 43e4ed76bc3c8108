using System.Diagnostics;
using System.Text.RegularExpressions;
using BitTorrent.Shared.Torrents;
using BitTorrent.UnitTests.Peer;

namespace BitTorrent.UnitTests.Shared.Torrents;

/// <summary>
/// Our metainfo against real tools (Debian packages mktorrent and transmission-cli): a torrent
/// made by mktorrent has the info-hash transmission-show prints. Missing tools fail the test.
/// </summary>
public partial class ExternalToolsInteropTests
{
    [Fact]
    public async Task Mktorrent_torrent_has_the_info_hash_transmission_show_prints()
    {
        using var folder = new TempFolder();
        var data = folder.WriteRandom("interop.bin", 700_000);
        var torrentPath = folder.File("interop.torrent");

        await Run("mktorrent", "-a", "http://127.0.0.1/announce", "-l", "18", "-o", torrentPath, data);
        var shown = await Run("transmission-show", torrentPath);
        var torrent = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath));

        var match = HashLine().Match(shown);
        Assert.True(match.Success, $"transmission-show printed no hash:\n{shown}");
        Assert.Equal(match.Groups[1].Value.ToLowerInvariant(), torrent.InfoHash.ToString());
        Assert.Equal("interop.bin", torrent.Name);
        Assert.Equal(700_000, torrent.Length);
    }

    [Fact]
    public async Task Our_torrent_has_the_same_info_hash_as_mktorrent_for_the_same_piece_length()
    {
        using var folder = new TempFolder();
        var data = folder.WriteRandom("same.bin", 600_000, seed: 7);
        var torrentPath = folder.File("same.torrent");

        await Run("mktorrent", "-a", "http://127.0.0.1/announce", "-l", "18", "-o", torrentPath, data);
        var theirs = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath));
        var ours = TorrentMetainfo.CreateFromFile(data, "http://elsewhere/announce");

        Assert.Equal(theirs.InfoHash, ours.InfoHash);
    }

    [Fact]
    public async Task Our_folder_torrent_has_the_same_info_hash_as_mktorrent_for_the_same_folder()
    {
        using var folder = new TempFolder();
        var root = folder.File("album");
        Directory.CreateDirectory(Path.Combine(root, "disc 2", "extras"));
        var files = new (string[] Path, int Length)[] { (["a.bin"], 300_000), (["disc 2", "b.bin"], 200_001), (["disc 2", "extras", "c.txt"], 17) };
        foreach (var (path, length) in files)
        {
            var bytes = new byte[length];
            new Random(length).NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine([root, .. path]), bytes);
        }
        var torrentPath = folder.File("album.torrent");

        await Run("mktorrent", "-a", "http://127.0.0.1/announce", "-l", "18", "-o", torrentPath, root);
        var theirs = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath));
        var ours = TorrentMetainfo.CreateFromFiles("album",
            [.. files.Select(f => ((IReadOnlyList<string>)f.Path, Path.Combine([root, .. f.Path])))], "http://elsewhere/announce");

        Assert.True(theirs.IsMultiFile);
        Assert.Equal(files.Select(f => string.Join('/', f.Path)), theirs.Files.Select(f => f.DisplayPath));
        Assert.Equal(theirs.InfoHash, ours.InfoHash);
    }

    private static async Task<string> Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{tool}' is not installed; this test needs it (apt-get install -y mktorrent transmission-cli).", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"{tool} exited with {process.ExitCode}: {await error}");
            return await output;
        }
    }

    [GeneratedRegex(@"Hash(?: v1)?:\s*([0-9a-fA-F]{40})")]
    private static partial Regex HashLine();
}
