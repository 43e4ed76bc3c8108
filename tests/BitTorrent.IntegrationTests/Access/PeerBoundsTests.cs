using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Access;

/// <summary>
/// What a peer serves and what it takes in: published content cannot run script on the peer's origin, bodies over
/// their endpoint's limit are refused as they stream (no file left, memory and the temporary folder flat), and a
/// flood from one address gets 429. A file still moves between two peers afterwards.
/// </summary>
public sealed class PeerBoundsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Published_html_svg_xml_and_javascript_are_attachments_with_nosniff_and_a_sandbox_while_images_and_text_stay_inline()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        var cases = new (string Name, string Body, bool Inline)[]
        {
            ("page.html", "<html><script>fetch('api/me/tracker',{method:'PUT'})</script></html>", false),
            ("picture.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", false),
            ("data.xml", "<?xml version=\"1.0\"?><x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">alert(1)</x:script>", false),
            ("page.xhtml", "<html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>", false),
            ("code.js", "alert(document.cookie)", false),
            ("no-extension", "<html><script>alert(1)</script></html>", false),
            ("photo.png", "\x89PNG\r\n\x1a\n-not-really-a-png", true),
            ("notes.txt", "<script>alert(1)</script> is only text here", true),
        };
        foreach (var (name, body, inline) in cases)
        {
            var path = Path.Combine(folder.Sub("files-" + name), name);
            await File.WriteAllTextAsync(path, body);
            var file = await peer.PublishAsync(path);
            using var response = await peer.Http.GetAsync(file.ContentUrl);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("sandbox", string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
            var disposition = response.Content.Headers.ContentDisposition;
            Assert.True(disposition is not null, $"{name}: no Content-Disposition");
            Assert.True((disposition.DispositionType == "inline") == inline,
                $"{name} ({response.Content.Headers.ContentType}) is served {disposition.DispositionType}");
            Assert.Equal(name, disposition.FileNameStar ?? disposition.FileName?.Trim('"'));
            Assert.Equal(Encoding.UTF8.GetBytes(body), await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Oversized_json_and_multipart_bodies_are_refused_as_they_stream_and_a_flood_gets_429_while_a_file_still_moves()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        var temporary = folder.Sub("aspnet-temp");
        const long uploadLimit = 2 * 1024 * 1024;
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"), new Dictionary<string, string>
        {
            ["Peer__MaxUploadBytes"] = uploadLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Peer__RequestsPerSecond"] = "20",
            ["ASPNETCORE_TEMP"] = temporary, // where ASP.NET Core buffers forms (else /tmp)
        });
        await using var downloader = await PeerProcess.StartAsync(ring, folder.Sub("downloader"));
        var rssBefore = RssBytes(peer.Process.Pid);

        // Bodies announced with their length and "Expect: 100-continue" are refused before a byte of them is sent: the
        // client waits for the verdict (for as long as a loaded machine needs, not the default second, after which it
        // would send anyway into a connection the peer is closing).
        using var waiting = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = peer.Http.BaseAddress,
            Timeout = TimeSpan.FromMinutes(2),
        };
        waiting.DefaultRequestHeaders.Authorization = peer.Http.DefaultRequestHeaders.Authorization;

        // JSON over a JSON-only route's 64 KiB, and over 4 MiB where a download's .torrent may come as JSON or a form: 413 before it is read.
        foreach (var (method, path, length) in new[] { (HttpMethod.Put, "api/settings", 1024 * 1024), (HttpMethod.Post, "api/downloads", 5 * 1024 * 1024) })
        {
            var json = new ZeroStream(length, lengthKnown: true);
            using var content = new StreamContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
            using (var response = await SendExpectingContinueAsync(waiting, method, path, content))
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal(0, json.Sent);
        }

        // A .torrent upload over 4 MiB, and a file over Peer:MaxUploadBytes: 413.
        using (var response = await PostExpectingContinueAsync(waiting, "api/downloads", Multipart("torrent", "big.torrent", new ZeroStream(5 * 1024 * 1024, lengthKnown: true))))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var announced = new ZeroStream(64 * 1024 * 1024, lengthKnown: true);
        using (var response = await PostExpectingContinueAsync(waiting, "api/files", Multipart("file", "big.bin", announced)))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, announced.Sent);

        // The same upload streamed without a length (chunked): refused once the limit is crossed, not buffered first.
        var streamed = new ZeroStream(256L * 1024 * 1024, lengthKnown: false);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "api/files") { Content = Multipart("file", "streamed.bin", streamed) })
        {
            try
            {
                using var response = await peer.Http.SendAsync(request);
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            }
            catch (HttpRequestException e)
            {
                output.WriteLine($"the peer closed the oversized upload while it was sent: {e.Message}");
            }
        }
        Assert.True(streamed.Sent < 64 * 1024 * 1024, $"{streamed.Sent} bytes of the oversized upload were taken in before it was refused");

        // Nothing was kept: no file, no upload in Storage, nothing in the temporary folder; memory stayed flat.
        Assert.Empty(await peer.Http.GetFromJsonAsync<BitTorrent.Peer.Api.FileView[]>("api/files", ChordRing.Json) ?? []);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(peer.Storage, "files"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(peer.Storage, "state", "uploads"), "*", SearchOption.AllDirectories));
        await Eventually.TrueAsync(() => Task.FromResult(!Directory.EnumerateFiles(temporary, "*", SearchOption.AllDirectories).Any()),
            TimeSpan.FromSeconds(10), "the refused upload left a file in the temporary folder");
        var rssAfter = RssBytes(peer.Process.Pid);
        Assert.True(rssAfter - rssBefore < 48L * 1024 * 1024, $"RSS grew from {rssBefore >> 20} MiB to {rssAfter >> 20} MiB");

        // A flood from one address: 429 problem details beyond the peer's rate (20/s, bursts of 40).
        var answers = await Task.WhenAll(Enumerable.Range(0, 120).Select(async _ =>
        {
            using var response = await peer.Http.GetAsync("api/me");
            return (response.StatusCode, response.Content.Headers.ContentType?.MediaType);
        }));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.TooManyRequests && a.MediaType == "application/problem+json");
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{a.StatusCode}"));

        // And the peer still works: a file within the limit is published and downloaded by another peer.
        await Task.Delay(TimeSpan.FromSeconds(3)); // the bucket refills
        var source = folder.RandomFile("within-limit.bin", uploadLimit / 2, seed: 9);
        var published = await peer.PublishAsync(source);
        using (var start = await downloader.StartDownloadAsync(published.InfoHash)) Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await downloader.WaitForStateAsync(published.InfoHash, "completed");
        Assert.Equal(TempFolder.Sha256(source), await downloader.ContentSha256Async(published.InfoHash));
    }

    private static Task<HttpResponseMessage> PostExpectingContinueAsync(HttpClient http, string path, HttpContent content) =>
        SendExpectingContinueAsync(http, HttpMethod.Post, path, content);

    private static async Task<HttpResponseMessage> SendExpectingContinueAsync(HttpClient http, HttpMethod method, string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.ExpectContinue = true;
        return await http.SendAsync(request);
    }

    private static MultipartFormDataContent Multipart(string field, string name, Stream content)
    {
        var part = new StreamContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var form = new MultipartFormDataContent();
        form.Add(part, field, name);
        return form;
    }

    private static long RssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// A stream of zeros that counts what was read from it (what the client sent). Without a known length a form
    /// holding it is sent chunked, so the server learns its size only as it arrives.
    /// </summary>
    private sealed class ZeroStream(long length, bool lengthKnown) : Stream
    {
        private long _position;
        public long Sent => Interlocked.Read(ref _position);
        public override bool CanRead => true;
        public override bool CanSeek => lengthKnown;
        public override bool CanWrite => false;
        public override long Length => lengthKnown ? length : throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            Interlocked.Add(ref _position, n);
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
