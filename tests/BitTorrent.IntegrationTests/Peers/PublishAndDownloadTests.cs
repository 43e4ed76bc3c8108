using System.Net;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Peers;

/// <summary>One ring and two peers shared by the scenarios of this class.</summary>
public sealed class TwoPeersFixture : IAsyncLifetime
{
    public ChordRing Ring { get; } = new();
    public TempFolder Folder { get; } = new();
    public PeerProcess Publisher { get; private set; } = null!;
    public PeerProcess Downloader { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Ring.StartAsync(3);
        await Ring.WaitConvergedAsync();
        Publisher = await PeerProcess.StartAsync(Ring, Folder.Sub("publisher"));
        Downloader = await PeerProcess.StartAsync(Ring, Folder.Sub("downloader"));
    }

    public async Task DisposeAsync()
    {
        if (Publisher is not null) await Publisher.DisposeAsync();
        if (Downloader is not null) await Downloader.DisposeAsync();
        await Ring.DisposeAsync();
        Folder.Dispose();
    }
}

public sealed class PublishAndDownloadTests(TwoPeersFixture system, ITestOutputHelper output) : IClassFixture<TwoPeersFixture>
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(256 * 1024 + 1)] // one piece (the smallest piece length) plus one byte
    [InlineData(50 * 1024 * 1024)]
    public async Task A_file_published_on_one_peer_downloads_on_another_with_the_same_sha256(long length)
    {
        var source = system.Folder.RandomFile($"file-{length}.bin", length, seed: (int)(length % 1000) + 3);
        var published = await system.Publisher.PublishAsync(source);
        output.WriteLine($"published {published.Name} as {published.InfoHash}");

        using (var start = await system.Downloader.StartDownloadAsync(published.InfoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var done = await system.Downloader.WaitForStateAsync(published.InfoHash, "completed", TimeSpan.FromSeconds(90));

        Assert.Equal(length, done.TotalBytes);
        Assert.Equal(TempFolder.Sha256(source), await system.Downloader.ContentSha256Async(published.InfoHash));
        // The downloader now holds it as one of its files, and seeds it.
        var mine = await system.Downloader.Http.GetStringAsync("api/files");
        Assert.Contains(published.InfoHash, mine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishing_the_same_content_twice_is_idempotent_and_the_originals_messages_come_back_as_problems()
    {
        var source = system.Folder.RandomFile("twice.bin", 1000, seed: 77);
        using var first = await system.Publisher.PostFileAsync(source);
        using var second = await system.Publisher.PostFileAsync(source);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var published = (await system.Publisher.PublishAsync(source));

        // The publisher already has it.
        using var exists = await system.Publisher.StartDownloadAsync(published.InfoHash);
        Assert.Equal(HttpStatusCode.Conflict, exists.StatusCode);
        Assert.Contains("already have", await exists.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Not in the catalog at all.
        using var unknown = await system.Downloader.StartDownloadAsync(new string('a', 40));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        // A malformed info-hash.
        using var malformed = await system.Downloader.StartDownloadAsync("../../etc/passwd");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task An_upload_name_that_climbs_out_of_storage_is_stored_inside_it()
    {
        var source = system.Folder.RandomFile("innocent.txt", 100, seed: 5);
        var published = await system.Publisher.PublishAsync(source, uploadName: "../../../../tmp/evil.txt");
        Assert.Equal("evil.txt", published.Name);
        var stored = Directory.GetFiles(system.Publisher.Storage, "evil.txt", SearchOption.AllDirectories);
        Assert.Single(stored);
        Assert.StartsWith(Path.Combine(system.Publisher.Storage, "files"), stored[0], StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/evil.txt") && File.GetLastWriteTimeUtc("/tmp/evil.txt") > DateTime.UtcNow.AddMinutes(-1));

        using var hostile = await system.Publisher.PostFileAsync(source, uploadName: "..");
        Assert.Equal(HttpStatusCode.BadRequest, hostile.StatusCode);
    }
}
