using System.Net;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Peers;

/// <summary>Choosing some files of a folder between two peer processes on a real ring.</summary>
public sealed class FileSelectionTests(TwoPeersFixture system, ITestOutputHelper output) : IClassFixture<TwoPeersFixture>
{
    [Fact]
    public async Task Two_of_five_files_chosen_only_those_complete_and_the_rest_follow_when_chosen_later()
    {
        // e starts at 3 MiB, a piece boundary for every piece length up to 1 MiB: no piece it holds touches b or d.
        var files = new (string Relative, long Length)[]
        {
            ("five/a.bin", 1_000_000),
            ("five/b.bin", 300_000),
            ("five/c.bin", 1_500_000),
            ("five/d.bin", 345_728),
            ("five/e.bin", 900_000),
        };
        var sources = files.Select((f, i) => (Path: system.Folder.RandomFile($"five-{i}", f.Length, seed: 300 + i), f.Relative)).ToList();
        using var response = await system.Publisher.PostFolderAsync(sources);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var published = (await response.Content.ReadFromJsonAsync<FileView>(ChordRing.Json))!;

        using (var unknown = await system.Downloader.Http.PostAsJsonAsync("api/downloads", new { infoHash = published.InfoHash, files = new[] { "b.bin", "nope.bin" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Contains("nope.bin", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var start = await system.Downloader.Http.PostAsJsonAsync("api/downloads", new { infoHash = published.InfoHash, files = new[] { "b.bin", "d.bin" } }))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var done = await system.Downloader.WaitForStateAsync(published.InfoHash, "completed", TimeSpan.FromSeconds(90));

        Assert.True(done.Partial);
        Assert.Equal(300_000 + 345_728, done.TotalBytes); // progress counts the chosen files
        Assert.Equal(done.TotalBytes, done.BytesDone);
        Assert.Null(done.ContentUrl); // not held whole: not in the library
        var folder = Path.Combine(system.Downloader.Storage, "files", published.InfoHash, "five");
        string OnDisk(int i) => Path.Combine(folder, files[i].Relative["five/".Length..]);
        Assert.Equal(TempFolder.Sha256(sources[1].Path), TempFolder.Sha256(OnDisk(1)));
        Assert.Equal(TempFolder.Sha256(sources[3].Path), TempFolder.Sha256(OnDisk(3)));
        Assert.False(File.Exists(OnDisk(4)), "a file only unwanted pieces hold is not created");
        var details = await system.Downloader.FileDetailsAsync(published.InfoHash);
        Assert.Equal(0, 3L * 1024 * 1024 % details.PieceLength);
        Assert.Equal([false, true, false, true, false], details.Files.Select(f => f.Wanted));
        Assert.Equal([1.0, 1.0], details.Files.Where(f => f.Wanted).Select(f => f.Progress));
        Assert.All(details.Files.Where(f => !f.Wanted), f => Assert.True(f.Progress < 0.5, $"{f.Path} was fetched: {f.Progress}"));
        using (var library = await system.Downloader.Http.GetAsync("api/files"))
            Assert.DoesNotContain(published.InfoHash, await library.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        output.WriteLine($"received {done.BytesReceived} bytes for {done.TotalBytes} chosen of {published.Length}");

        using (var bad = await system.Downloader.Http.PutAsJsonAsync($"api/downloads/{published.InfoHash}/files", new { files = new[] { "../b.bin" } }))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var all = await system.Downloader.Http.PutAsJsonAsync($"api/downloads/{published.InfoHash}/files", new { files = files.Select(f => f.Relative["five/".Length..]) }))
            Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        DownloadDetailsView? whole = null;
        await Eventually.TrueAsync(async () => (whole = await system.Downloader.DownloadAsync(published.InfoHash)) is { State: "completed", Partial: false },
            TimeSpan.FromSeconds(90), "the download did not complete again with every file chosen");

        Assert.Equal(published.Length, whole!.TotalBytes);
        for (var i = 0; i < files.Length; i++) Assert.Equal(TempFolder.Sha256(sources[i].Path), TempFolder.Sha256(OnDisk(i)));
        var held = await system.Downloader.FileDetailsAsync(published.InfoHash);
        Assert.Equal(TempFolder.Sha256(sources[4].Path), await system.Downloader.Sha256Async(held.Files[4].ContentUrl!));
    }
}
