using System.Diagnostics;
using System.Globalization;
using System.Net;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Peer.Downloads;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Torrents;
using static BitTorrent.IntegrationTests.Transfer.TransferTestKit;

namespace BitTorrent.IntegrationTests.Transfer;

/// <summary>
/// A real client, aria2 (Debian package aria2), on the other side of our engine, over 127.0.0.1.
/// A tiny in-test HTTP tracker answers its announces. aria2 first tries an encrypted (MSE)
/// handshake, which we close as garbage, then falls back to the plain BEP 3 one.
/// A missing aria2c fails the test with the command that installs it.
/// </summary>
public sealed class RealClientInteropTests
{
    private const long Length = 3L * TorrentMetainfo.MinPieceLength + 4321;

    [Fact]
    public async Task Aria2_downloads_a_byte_identical_copy_from_our_seeder()
    {
        await using var kit = new TransferTestKit();
        var seeder = kit.StartEngine("seeder");
        using var tracker = new StaticTracker(seeder.LocalEndPoint);
        var source = kit.WriteRandomFile("seeder/files/interop.bin", Length);
        var torrent = TorrentMetainfo.CreateFromFile(source, tracker.AnnounceUrl);
        await seeder.SeedAsync(torrent, source);
        var torrentPath = kit.PathOf("client/interop.torrent");
        await File.WriteAllBytesAsync(torrentPath, torrent.ToBytes());
        var downloads = kit.PathOf("client/downloads/");

        var exitCode = await RunAria2Async(TimeSpan.FromSeconds(40), "--seed-time=0", $"--dir={downloads}", torrentPath);

        Assert.Equal(0, exitCode);
        Assert.Equal(Sha256(source), Sha256(Path.Combine(downloads, "interop.bin")));
    }

    [Fact]
    public async Task Our_leecher_downloads_from_an_aria2_seeder()
    {
        await using var kit = new TransferTestKit();
        using var tracker = new StaticTracker(peer: null);
        var source = kit.WriteRandomFile("aria2/interop.bin", Length);
        var torrent = TorrentMetainfo.CreateFromFile(source, tracker.AnnounceUrl);
        var torrentPath = kit.PathOf("aria2/interop.torrent");
        await File.WriteAllBytesAsync(torrentPath, torrent.ToBytes());
        var port = ServiceProcess.FreePort();
        using var cancel = new CancellationTokenSource();
        var aria2 = RunAria2Async(TimeSpan.FromSeconds(60), cancel.Token, "--check-integrity=true", "--seed-ratio=0.0",
            $"--listen-port={port}", $"--dir={Path.GetDirectoryName(source)}", torrentPath);
        try
        {
            var leecher = kit.StartEngine("leecher");
            var target = kit.PathOf("leecher/files/interop.bin");
            await leecher.StartDownloadAsync(torrent, target, [new IPEndPoint(IPAddress.Loopback, port)]);
            await WaitForStateAsync(leecher, torrent.InfoHash, DownloadState.Completed, TimeSpan.FromSeconds(30));

            Assert.Equal(Sha256(source), Sha256(target));
        }
        finally
        {
            await cancel.CancelAsync();
            await aria2;
        }
    }

    private static Task<int> RunAria2Async(TimeSpan timeout, params string[] arguments) =>
        RunAria2Async(timeout, CancellationToken.None, arguments);

    /// <summary>Runs aria2c (no DHT, LPD or PEX: only the tracker and given peers) until it exits, times out or is cancelled.</summary>
    private static async Task<int> RunAria2Async(TimeSpan timeout, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("aria2c") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
                     "--file-allocation=none", "--console-log-level=warn", "--summary-interval=0", .. arguments])
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("aria2c is not installed; this test needs it (apt-get install -y aria2).", e);
        }
        using (process)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
                return process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                if (cancellationToken.IsCancellationRequested) return -1;
                throw new TimeoutException($"aria2c did not finish within {timeout}.");
            }
        }
    }

    /// <summary>An HTTP tracker that answers every announce with the same compact peer list (BEP 23).</summary>
    private sealed class StaticTracker : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly byte[] _response;

        public StaticTracker(IPEndPoint? peer)
        {
            var compact = new byte[peer is null ? 0 : 6];
            if (peer is not null)
            {
                peer.Address.MapToIPv4().TryWriteBytes(compact, out _);
                compact[4] = (byte)(peer.Port >> 8);
                compact[5] = (byte)peer.Port;
            }
            _response = new BDictionary { { "interval", new BInteger(30) }, { "peers", new BString(compact) } }.Encode();
            var port = ServiceProcess.FreePort();
            AnnounceUrl = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/announce");
            _listener.Prefixes.Add(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
            _listener.Start();
            _ = ServeAsync();
        }

        public string AnnounceUrl { get; }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                context.Response.ContentType = "text/plain";
                await context.Response.OutputStream.WriteAsync(_response);
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
