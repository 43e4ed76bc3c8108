using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Api;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Peers;

/// <summary>
/// What a user sees of a running download: its peers and where each piece came from, live events,
/// and the file's bytes while it is still downloading. The publisher serves slowly (its upload limit)
/// so each check happens mid-download. Its time bounds are the publisher's rate limit (an upper bound, which a
/// busy machine only makes slower) and the peer's wait for a missing piece, so it runs beside another scenario.
/// </summary>
public sealed class DownloadDetailsAndStreamingTests(ITestOutputHelper output)
{
    private static Dictionary<string, string> UploadLimit(long bytesPerSecond) =>
        new() { ["Transfer__UploadRateLimit"] = bytesPerSecond.ToString(CultureInfo.InvariantCulture) };

    [Fact]
    public async Task A_downloads_details_list_its_peer_with_address_client_and_rates_and_the_peer_as_the_source_of_its_pieces()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"), UploadLimit(2 * 1024 * 1024));
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        var source = folder.RandomFile("details.bin", 10L * 1024 * 1024, seed: 41);
        var infoHash = (await publisher.PublishAsync(source)).InfoHash;
        var seederPort = (await publisher.MeAsync()).TransferPort;

        using (var start = await leecher.StartDownloadAsync(infoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        DownloadDetailsView? running = null;
        await Eventually.TrueAsync(async () =>
        {
            running = await leecher.DownloadAsync(infoHash);
            return running.State == "downloading" && running.PiecesDone >= 3 && running.Peers.Any(p => p.DownloadBytesPerSecond > 0);
        }, TimeSpan.FromSeconds(30), "the download never showed a peer sending data");

        var peer = Assert.Single(running!.Peers, p => p.DownloadBytesPerSecond > 0);
        Assert.Equal(seederPort, IPEndPoint.Parse(peer.Address).Port);
        Assert.Equal("D&D BitTorrent/1.0", peer.Client); // the name its BEP 10 extension handshake gives
        Assert.True(peer.Seeder);
        Assert.Equal(1.0, peer.Has);
        Assert.InRange(peer.DownloadBytesPerSecond, 1, 4 * 1024 * 1024); // the publisher sends at most 2 MiB/s
        Assert.True(peer.DownloadedBytes > 0);
        Assert.Equal(running.PieceCount, running.Pieces.Length);
        Assert.Equal(running.PieceCount, running.PieceSources.Length);
        Assert.True(running.Pieces.Count(c => c == 'v') >= running.PiecesDone, "fewer verified pieces in the map than in the count");
        Assert.Contains(running.Pieces, c => c == 'm' || c == 'r'); // mid-download
        // Every piece verified in this run came from the one seeder, named in the sources.
        var source0 = Assert.Single(running.Sources);
        Assert.Equal(peer.Address, source0.Address);
        Assert.Equal(source0.Key, peer.Source);
        for (var i = 0; i < running.PieceCount; i++)
            Assert.Equal(running.Pieces[i] == 'v' ? source0.Key[0] : '.', running.PieceSources[i]);

        var done = await leecher.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(new string('v', done.PieceCount), done.Pieces);
        Assert.Equal(new string(source0.Key[0], done.PieceCount), done.PieceSources);
        Assert.Equal(TempFolder.Sha256(source), await leecher.ContentSha256Async(infoHash));
    }

    [Fact]
    public async Task The_event_stream_needs_the_key_and_delivers_a_downloads_progress_and_then_its_completion()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"), UploadLimit(4 * 1024 * 1024));
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        var source = folder.RandomFile("events.bin", 8L * 1024 * 1024, seed: 42);
        var infoHash = (await publisher.PublishAsync(source)).InfoHash;

        using (var anonymous = new HttpClient { BaseAddress = leecher.Http.BaseAddress })
        using (var refused = await anonymous.GetAsync("api/events", HttpCompletionOption.ResponseHeadersRead))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var stream = await leecher.Http.GetAsync("api/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(timeout.Token));
        Assert.Equal("hello", (await NextEventAsync(reader, timeout.Token)).Name);

        using (var start = await leecher.StartDownloadAsync(infoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var progress = new List<DownloadEventView>();
        DownloadEventView? completed = null;
        while (completed is null)
        {
            var (name, data) = await NextEventAsync(reader, timeout.Token);
            if (data is null) continue;
            var e = JsonSerializer.Deserialize<DownloadEventView>(data, ChordRing.Json)!;
            if (e.Id != infoHash) continue;
            Assert.Equal(name, e.Kind);
            if (name == "progress") progress.Add(e);
            else if (name == "completed") completed = e;
        }

        Assert.Contains(progress, p => p.BytesDone > 0 && p.BytesDone < p.TotalBytes); // seen while it ran
        Assert.Equal(progress.Select(p => p.BytesDone).Order(), progress.Select(p => p.BytesDone)); // in order
        Assert.Equal("completed", completed.State);
        Assert.Equal(8L * 1024 * 1024, completed.BytesDone);
        Assert.Equal(1.0, completed.Progress);
    }

    [Fact]
    public async Task A_range_request_during_a_throttled_download_returns_the_right_bytes_before_the_download_completes()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        // 24 MiB at 1 MiB/s: the download takes about 24 s, the range must come long before.
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"), UploadLimit(1024 * 1024));
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        const long length = 24L * 1024 * 1024;
        var source = folder.RandomFile("movie.mp4", length, seed: 43);
        var infoHash = (await publisher.PublishAsync(source)).InfoHash;
        using (var start = await leecher.StartDownloadAsync(infoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);

        // A range near the end, across a piece boundary, as a player seeking would ask.
        const long from = length - 700_000, to = length - 200_001;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/files/{infoHash}/content");
        request.Headers.Range = new RangeHeaderValue(from, to);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var response = await leecher.Http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        output.WriteLine($"range answered in {clock.Elapsed.TotalSeconds:F1} s");
        var after = await leecher.DownloadAsync(infoHash);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {from}-{to}/{length}", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        var expected = new byte[to - from + 1];
        await using (var file = File.OpenRead(source))
        {
            file.Position = from;
            await file.ReadExactlyAsync(expected);
        }
        Assert.Equal(expected, body);
        Assert.NotEqual("completed", after.State);
        Assert.True(after.Progress < 0.9, $"the download was {after.Progress:P0} done when the range came: it was not served early");

        // A verified range is answered at once, from the start of the file too once it is there.
        using var again = new HttpRequestMessage(HttpMethod.Get, $"api/files/{infoHash}/content");
        again.Headers.Range = new RangeHeaderValue(from, from + 99);
        using var repeat = await leecher.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.PartialContent, repeat.StatusCode);
        Assert.Equal(expected[..100], await repeat.Content.ReadAsByteArrayAsync());

        await leecher.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(90));
        Assert.Equal(TempFolder.Sha256(source), await leecher.ContentSha256Async(infoHash));
    }

    [Fact]
    public async Task A_paused_download_serves_its_verified_pieces_at_once_and_answers_a_missing_range_503_with_retry_after()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"), UploadLimit(1024 * 1024));
        // A missing piece is waited for 5 s (Peer:StreamingWait; 30 s by default) before the 503.
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"), new Dictionary<string, string> { ["Peer__StreamingWait"] = "00:00:05" });
        var source = folder.RandomFile("paused.bin", 16L * 1024 * 1024, seed: 45);
        var infoHash = (await publisher.PublishAsync(source)).InfoHash;
        var pieceLength = (await publisher.FileDetailsAsync(infoHash)).PieceLength;
        using (var start = await leecher.StartDownloadAsync(infoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await Eventually.TrueAsync(async () => (await leecher.DownloadAsync(infoHash)).PiecesDone >= 2,
            TimeSpan.FromSeconds(30), "no piece arrived");
        using (var pause = await leecher.Http.PostAsync($"api/downloads/{infoHash}/pause", null))
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        var paused = await leecher.DownloadAsync(infoHash);
        var verified = paused.Pieces.IndexOf('v', StringComparison.Ordinal);
        var missing = paused.Pieces.IndexOf('m', StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(source);

        using var have = new HttpRequestMessage(HttpMethod.Get, $"api/files/{infoHash}/content");
        have.Headers.Range = new RangeHeaderValue((long)verified * pieceLength, ((long)verified * pieceLength) + 999);
        using var served = await leecher.Http.SendAsync(have);
        Assert.Equal(HttpStatusCode.PartialContent, served.StatusCode);
        Assert.Equal(bytes.AsSpan(verified * pieceLength, 1000).ToArray(), await served.Content.ReadAsByteArrayAsync());

        using var lacking = new HttpRequestMessage(HttpMethod.Get, $"api/files/{infoHash}/content");
        lacking.Headers.Range = new RangeHeaderValue((long)missing * pieceLength, ((long)missing * pieceLength) + 999);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var refused = await leecher.Http.SendAsync(lacking);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4.9), TimeSpan.FromSeconds(29)); // it waited for the piece first, as configured
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("paused", (await leecher.DownloadAsync(infoHash)).State);
    }

    [Fact]
    public async Task A_download_switched_to_sequential_order_fetches_its_pieces_from_the_start_of_the_file()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var publisher = await PeerProcess.StartAsync(ring, folder.Sub("publisher"), UploadLimit(1024 * 1024));
        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        var source = folder.RandomFile("sequential.bin", 16L * 1024 * 1024, seed: 44);
        var infoHash = (await publisher.PublishAsync(source)).InfoHash;
        using (var start = await leecher.StartDownloadAsync(infoHash))
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        // While the publisher still chokes the leecher, the only pieces the leecher may fetch are those the publisher
        // allowed it fast (BEP 6), in whatever order they fall: order applies once it is unchoked.
        await Eventually.TrueAsync(async () => (await leecher.DownloadAsync(infoHash)).Peers.Any(p => !p.ChokingUs),
            TimeSpan.FromSeconds(30), "the publisher never unchoked the leecher");

        using (var bad = await leecher.Http.PutAsJsonAsync($"api/downloads/{infoHash}/order", new { }))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var order = await leecher.Http.PutAsJsonAsync($"api/downloads/{infoHash}/order", new { sequential = true }))
        {
            Assert.Equal(HttpStatusCode.OK, order.StatusCode);
            Assert.True((await order.Content.ReadFromJsonAsync<DownloadView>(ChordRing.Json))!.Sequential);
        }
        var switchedAt = (await leecher.DownloadAsync(infoHash)).Pieces;

        // Pieces picked after the switch are the first missing ones: the missing pieces left are a tail
        // (apart from those already requested rarest-first before the switch).
        DownloadDetailsView? later = null;
        await Eventually.TrueAsync(async () =>
        {
            later = await leecher.DownloadAsync(infoHash);
            return later.Pieces.Count(c => c == 'v') >= switchedAt.Count(c => c == 'v') + 12;
        }, TimeSpan.FromSeconds(60), "no pieces arrived after the switch");
        Assert.True(later!.Sequential);
        var firstMissing = later.Pieces.IndexOf('m', StringComparison.Ordinal);
        Assert.True(firstMissing > 0, "the first piece is still missing");
        for (var i = firstMissing; i < later.PieceCount; i++)
            Assert.True(later.Pieces[i] != 'v' || switchedAt[i] != 'm',
                $"piece {i} past the first missing one ({firstMissing}) was fetched after the switch: {later.Pieces}");
    }

    /// <summary>The next server-sent event: its name and data (null when it has none).</summary>
    private static async Task<(string Name, string? Data)> NextEventAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        string? name = null, data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null || data is not null) return (name ?? "message", data);
                continue;
            }
            if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal)) data = (data is null ? "" : data + "\n") + line[5..].TrimStart();
        }
        throw new EndOfStreamException("the event stream ended");
    }
}
