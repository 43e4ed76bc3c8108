using System.Net;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Peers;

public sealed class SwarmScenarioTests(ITestOutputHelper output)
{
    /// <summary>Seeders limited to this rate, so a download lasts long enough to interfere with it.</summary>
    private static readonly Dictionary<string, string> SlowSeeder = new() { ["Transfer__UploadRateLimit"] = (6 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Three_seeders_and_one_leecher_complete_although_a_seeder_is_killed_mid_download()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var source = folder.RandomFile("shared.bin", 48L * 1024 * 1024, seed: 11);

        await using var first = await PeerProcess.StartAsync(ring, folder.Sub("s1"), SlowSeeder);
        var published = await first.PublishAsync(source);
        await using var second = await PeerProcess.StartAsync(ring, folder.Sub("s2"), SlowSeeder);
        await using var third = await PeerProcess.StartAsync(ring, folder.Sub("s3"), SlowSeeder);
        // The other two seeders hold the same file: they publish identical content (same info-hash).
        Assert.Equal(published.InfoHash, (await second.PublishAsync(source)).InfoHash);
        Assert.Equal(published.InfoHash, (await third.PublishAsync(source)).InfoHash);

        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        using (var start = await leecher.StartDownloadAsync(published.InfoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await Eventually.TrueAsync(async () => (await leecher.DownloadAsync(published.InfoHash)).Progress >= 0.2,
            TimeSpan.FromSeconds(60), "the download did not get going");
        second.Kill();
        output.WriteLine($"killed a seeder at {(await leecher.DownloadAsync(published.InfoHash)).Progress:P0}");

        await leecher.WaitForStateAsync(published.InfoHash, "completed", TimeSpan.FromSeconds(90));
        Assert.Equal(TempFolder.Sha256(source), await leecher.ContentSha256Async(published.InfoHash));
    }

    [Fact]
    public async Task A_leecher_killed_mid_download_resumes_after_restart_without_fetching_verified_pieces_again()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        const long length = 36L * 1024 * 1024;
        var source = folder.RandomFile("resume.bin", length, seed: 12);
        await using var seeder = await PeerProcess.StartAsync(ring, folder.Sub("seeder"), SlowSeeder);
        var published = await seeder.PublishAsync(source);

        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        using (var start = await leecher.StartDownloadAsync(published.InfoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await Eventually.TrueAsync(async () => (await leecher.DownloadAsync(published.InfoHash)).Progress >= 0.4,
            TimeSpan.FromSeconds(60), "the download did not get far enough");
        var before = await leecher.DownloadAsync(published.InfoHash);
        await leecher.RestartAsync(ring);

        var after = await leecher.WaitForStateAsync(published.InfoHash, "completed", TimeSpan.FromSeconds(90));
        output.WriteLine($"before the kill {before.BytesDone} verified; after the restart received {after.BytesReceived} of {length}");
        Assert.Equal(TempFolder.Sha256(source), await leecher.ContentSha256Async(published.InfoHash));
        // Only what was missing came over the wire again (pieces in flight at the kill may be fetched twice).
        Assert.True(after.BytesReceived <= length - before.BytesDone + 16L * 1024 * 1024,
            $"received {after.BytesReceived} bytes after the restart although {before.BytesDone} were verified before it");
        Assert.True(after.BytesReceived < length, "the restarted download fetched the whole file again");
    }

    [Fact]
    public async Task Pause_resume_cancel_and_retry_through_the_api_do_what_they_say()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var folder = new TempFolder();
        var source = folder.RandomFile("steer.bin", 40L * 1024 * 1024, seed: 13);
        await using var seeder = await PeerProcess.StartAsync(ring, folder.Sub("seeder"), SlowSeeder);
        var published = await seeder.PublishAsync(source);
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        var id = published.InfoHash;

        Assert.Equal(HttpStatusCode.Accepted, (await leecher.StartDownloadAsync(id)).StatusCode);
        using (var again = await leecher.StartDownloadAsync(id))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Contains("already being downloaded", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await leecher.Http.PostAsync($"api/downloads/{id}/pause", null)).StatusCode);
        var paused = await leecher.WaitForStateAsync(id, "paused");
        await Task.Delay(1500);
        var stillPaused = await leecher.DownloadAsync(id);
        Assert.Equal("paused", stillPaused.State);
        Assert.True(stillPaused.BytesDone - paused.BytesDone <= 8L * 1024 * 1024, "a paused download kept going");
        // Pausing twice is harmless.
        using (var twice = await leecher.Http.PostAsync($"api/downloads/{id}/pause", null))
            Assert.Equal(HttpStatusCode.OK, twice.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await leecher.Http.PostAsync($"api/downloads/{id}/resume", null)).StatusCode);
        await Eventually.TrueAsync(async () => (await leecher.DownloadAsync(id)).BytesDone > stillPaused.BytesDone,
            TimeSpan.FromSeconds(30), "the resumed download made no progress");

        Assert.Equal(HttpStatusCode.OK, (await leecher.Http.PostAsync($"api/downloads/{id}/cancel", null)).StatusCode);
        await leecher.WaitForStateAsync(id, "cancelled");
        Assert.Empty(Directory.GetFiles(Path.Combine(leecher.Storage, "files"), "steer.bin", SearchOption.AllDirectories));

        Assert.Equal(HttpStatusCode.OK, (await leecher.Http.PostAsync($"api/downloads/{id}/retry", null)).StatusCode);
        await leecher.WaitForStateAsync(id, "completed", TimeSpan.FromSeconds(90));
        Assert.Equal(TempFolder.Sha256(source), await leecher.ContentSha256Async(id));
        // A completed download cannot be paused or cancelled: refused with a sentence, not an error page.
        using (var late = await leecher.Http.PostAsync($"api/downloads/{id}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
            Assert.Contains("completed download cannot be cancelled", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var unknown = await leecher.Http.PostAsync($"api/downloads/{new string('b', 40)}/pause", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_file_nobody_shares_is_accepted_as_waiting_and_a_torrent_naming_a_path_outside_storage_is_refused()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));

        using (var orphan = await UploadTorrentAsync(peer, TorrentBytes("orphan.bin")))
        {
            // Nobody seeds it now: accepted, waiting for a peer that has it (as every real client does).
            Assert.Equal(HttpStatusCode.Accepted, orphan.StatusCode);
            Assert.Equal("waiting", (await orphan.Content.ReadFromJsonAsync<DownloadView>(ChordRing.Json))!.State);
        }
        using (var climbing = await UploadTorrentAsync(peer, TorrentBytes("../../../etc/passwd")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, climbing.StatusCode);
        }
        using (var junk = await UploadTorrentAsync(peer, "d4:junke"u8.ToArray()))
            Assert.Equal(HttpStatusCode.BadRequest, junk.StatusCode);
        Assert.False(File.Exists(Path.Combine(peer.Storage, "..", "etc", "passwd")));
    }

    [Fact]
    public async Task A_torrent_added_before_its_seeder_starts_waits_and_completes_once_the_seeder_is_online()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        var source = folder.RandomFile("late.bin", 700_000, seed: 41);
        // Published once (so the catalog has it), then the publisher goes away; the torrent is added while nobody seeds.
        string id;
        byte[] torrent;
        await using (var first = await PeerProcess.StartAsync(ring, folder.Sub("seeder")))
        {
            id = (await first.PublishAsync(source)).InfoHash;
            torrent = await first.Http.GetByteArrayAsync($"api/files/{id}/torrent");
        }
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        await Task.Delay(TimeSpan.FromSeconds(2)); // the stopped seeder's announce has expired or was withdrawn

        using (var added = await UploadTorrentAsync(leecher, torrent))
            Assert.Equal(HttpStatusCode.Accepted, added.StatusCode); // the tracker may still list the gone seeder: then it is being dialled
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.Equal("waiting", (await leecher.DownloadAsync(id)).State);

        await using var seeder = await PeerProcess.StartAsync(ring, folder.Sub("seeder")); // same Storage: it seeds its library again
        await leecher.WaitForStateAsync(id, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(TempFolder.Sha256(source), await leecher.ContentSha256Async(id));
    }

    private static byte[] TorrentBytes(string name)
    {
        var info = new BitTorrent.Shared.Bencode.BDictionary
        {
            { "length", new BitTorrent.Shared.Bencode.BInteger(1000) },
            { "name", new BitTorrent.Shared.Bencode.BString(name) },
            { "piece length", new BitTorrent.Shared.Bencode.BInteger(262144) },
            { "pieces", new BitTorrent.Shared.Bencode.BString(new byte[20]) },
        };
        var torrent = new BitTorrent.Shared.Bencode.BDictionary
        {
            { "announce", new BitTorrent.Shared.Bencode.BString("http://127.0.0.1:1/announce") },
            { "info", info },
        };
        return torrent.Encode();
    }

    private static async Task<HttpResponseMessage> UploadTorrentAsync(PeerProcess peer, byte[] torrent)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(torrent), "torrent", "x.torrent");
        return await peer.Http.PostAsync("api/downloads", form);
    }
}
