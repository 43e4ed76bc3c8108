using System.Net;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Peers;

/// <summary>Folders (multi-file torrents) between two peer processes on a real ring.</summary>
public sealed class FolderPublishAndDownloadTests(TwoPeersFixture system, ITestOutputHelper output) : IClassFixture<TwoPeersFixture>
{
    [Fact]
    public async Task A_folder_of_nested_files_with_an_empty_one_downloads_with_every_files_sha256_equal()
    {
        // Sizes chosen so pieces (256 KiB) straddle files: one piece spans three files, and the last piece is short.
        var files = new (string Relative, long Length)[]
        {
            ("album/cover.jpg", 300_000),
            ("album/disc 1/01.flac", 100_000),
            ("album/disc 1/empty.cue", 0),
            ("album/disc 1/02.flac", 10_000),
            ("album/disc 2/deep/03.flac", 1_000_003),
            ("album/notes.txt", 17),
        };
        var sources = files.Select((f, i) => (Path: system.Folder.RandomFile($"src-{i}", f.Length, seed: 100 + i), f.Relative)).ToList();
        using var response = await system.Publisher.PostFolderAsync(sources);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var published = (await response.Content.ReadFromJsonAsync<FileView>(ChordRing.Json))!;
        Assert.Equal("album", published.Name);
        Assert.Equal(files.Sum(f => f.Length), published.Length);
        output.WriteLine($"published the folder as {published.InfoHash}");

        using (var start = await system.Downloader.StartDownloadAsync(published.InfoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await system.Downloader.WaitForStateAsync(published.InfoHash, "completed", TimeSpan.FromSeconds(90));

        var details = await system.Downloader.FileDetailsAsync(published.InfoHash);
        Assert.True(details.IsFolder);
        Assert.Equal(files.OrderBy(f => f.Relative, StringComparer.Ordinal).Select(f => f.Relative["album/".Length..]), details.Files.Select(f => f.Path));
        foreach (var (path, relative) in sources)
        {
            var entry = details.Files.Single(f => "album/" + f.Path == relative);
            Assert.NotNull(entry.ContentUrl);
            Assert.Equal(TempFolder.Sha256(path), await system.Downloader.Sha256Async(entry.ContentUrl));
            // On disk where the issue says: files/<infoHash>/<name>/<path>.
            Assert.True(File.Exists(Path.Combine([system.Downloader.Storage, "files", published.InfoHash, .. relative.Split('/')])), relative);
        }
        using var folderContent = await system.Downloader.Http.GetAsync($"api/files/{published.InfoHash}/content");
        Assert.Equal(HttpStatusCode.NotFound, folderContent.StatusCode); // a folder opens file by file
        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"api/files/{published.InfoHash}/content/notes.txt");
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(2, 5);
        using var part = await system.Downloader.Http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(File.ReadAllBytes(sources[^1].Path)[2..6], await part.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_magnet_link_from_the_publisher_downloads_the_folder_on_another_peer()
    {
        var sources = new[] { ("mag/a.bin", 400_000L), ("mag/sub/b.bin", 3L) }
            .Select((f, i) => (Path: system.Folder.RandomFile($"mag-{i}", f.Item2, seed: 200 + i), Relative: f.Item1)).ToList();
        using var response = await system.Publisher.PostFolderAsync(sources);
        var published = (await response.Content.ReadFromJsonAsync<FileView>(ChordRing.Json))!;
        Assert.StartsWith($"magnet:?xt=urn:btih:{published.InfoHash}&dn=mag&tr=http", published.Magnet, StringComparison.Ordinal);
        Assert.Equal(published.Magnet.Split("&tr=")[0], (await system.Publisher.FileDetailsAsync(published.InfoHash)).Magnet.Split("&tr=")[0]);

        using (var start = await system.Downloader.Http.PostAsJsonAsync("api/downloads", new { magnet = published.Magnet }))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await system.Downloader.WaitForStateAsync(published.InfoHash, "completed", TimeSpan.FromSeconds(90));
        var details = await system.Downloader.FileDetailsAsync(published.InfoHash);
        Assert.Equal(TempFolder.Sha256(sources[0].Path), await system.Downloader.Sha256Async(details.Files.Single(f => f.Path == "a.bin").ContentUrl!));

        using var bad = await system.Downloader.Http.PostAsJsonAsync("api/downloads", new { magnet = "magnet:?dn=no-hash" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("magnet link", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_upload_with_a_path_that_climbs_is_refused_and_writes_nothing_outside_storage()
    {
        var source = system.Folder.RandomFile("climb.bin", 100, seed: 9);
        using var response = await system.Publisher.PostFolderAsync([(source, "album/ok.bin"), (source, "album/../../escaped.bin")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Directory.GetFiles(system.Folder.Path, "escaped.bin", SearchOption.AllDirectories));
    }
}
