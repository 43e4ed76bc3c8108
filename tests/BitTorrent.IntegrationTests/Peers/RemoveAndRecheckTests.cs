using System.Net;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;

namespace BitTorrent.IntegrationTests.Peers;

/// <summary>Removing files with and without their data, and rechecking a download whose file was damaged on disk.</summary>
public sealed class RemoveAndRecheckTests(TwoPeersFixture system) : IClassFixture<TwoPeersFixture>
{
    [Fact]
    public async Task A_recheck_after_a_byte_is_corrupted_on_disk_fetches_that_piece_again()
    {
        var source = system.Folder.RandomFile("recheck.bin", 3 * 256 * 1024 + 5, seed: 61);
        var id = (await system.Publisher.PublishAsync(source)).InfoHash;
        using (var start = await system.Downloader.StartDownloadAsync(id)) Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var done = await system.Downloader.WaitForStateAsync(id, "completed", TimeSpan.FromSeconds(90));
        var received = done.BytesReceived;

        var onDisk = Path.Combine(system.Downloader.Storage, "files", id, "recheck.bin");
        await using (var file = new FileStream(onDisk, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 256 * 1024 + 100; // in piece 1
            var b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0xFF));
        }
        Assert.NotEqual(TempFolder.Sha256(source), TempFolder.Sha256(onDisk));

        using var recheck = await system.Downloader.Http.PostAsync($"api/downloads/{id}/recheck", null);
        Assert.Equal(HttpStatusCode.OK, recheck.StatusCode);
        var after = (await recheck.Content.ReadFromJsonAsync<DownloadView>(ChordRing.Json))!;
        Assert.NotEqual("completed", after.State); // the damaged piece was found
        Assert.Equal(after.PieceCount - 1, after.PiecesDone);

        var again = await system.Downloader.WaitForStateAsync(id, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(TempFolder.Sha256(source), TempFolder.Sha256(onDisk));
        Assert.True(again.BytesReceived >= received + 256 * 1024, $"the piece was fetched again ({received} → {again.BytesReceived} bytes received)");

        using var reannounce = await system.Downloader.Http.PostAsync($"api/downloads/{id}/reannounce", null);
        Assert.Equal(HttpStatusCode.OK, reannounce.StatusCode);
    }

    [Fact]
    public async Task Removing_a_file_keeps_or_deletes_its_data_as_asked_and_it_leaves_my_files()
    {
        var kept = (await system.Publisher.PublishAsync(system.Folder.RandomFile("kept.bin", 1000, seed: 62))).InfoHash;
        var deleted = (await system.Publisher.PublishAsync(system.Folder.RandomFile("deleted.bin", 1000, seed: 63))).InfoHash;
        var keptPath = Path.Combine(system.Publisher.Storage, "files", kept, "kept.bin");
        var deletedFolder = Path.Combine(system.Publisher.Storage, "files", deleted);

        using (var remove = await system.Publisher.Http.DeleteAsync($"api/files/{kept}?deleteData=false"))
            Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        using (var remove = await system.Publisher.Http.DeleteAsync($"api/files/{deleted}?deleteData=true"))
            Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);

        Assert.True(File.Exists(keptPath));
        Assert.False(Directory.Exists(deletedFolder));
        var mine = await system.Publisher.Http.GetStringAsync("api/files");
        Assert.DoesNotContain(kept, mine, StringComparison.Ordinal);
        Assert.DoesNotContain(deleted, mine, StringComparison.Ordinal);
        using (var gone = await system.Publisher.Http.GetAsync($"api/files/{kept}/content"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using (var again = await system.Publisher.Http.DeleteAsync($"api/files/{kept}"))
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        // No longer shared: a download of it waits, as nobody seeds it.
        using (var start = await system.Downloader.StartDownloadAsync(deleted))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("waiting", (await system.Downloader.DownloadAsync(deleted)).State);
        using (var cleanup = await system.Downloader.Http.DeleteAsync($"api/files/{deleted}?deleteData=true"))
            Assert.Equal(HttpStatusCode.NoContent, cleanup.StatusCode);
        using var forgotten = await system.Downloader.Http.GetAsync($"api/downloads/{deleted}");
        Assert.Equal(HttpStatusCode.NotFound, forgotten.StatusCode);
    }
}
