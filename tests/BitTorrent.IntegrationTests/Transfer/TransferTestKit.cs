using System.Net;
using System.Security.Cryptography;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.IntegrationTests.Transfer;

/// <summary>
/// Scratch storage and in-process engines on 127.0.0.1 for one test; disposing it stops every
/// engine it started and deletes the files, also when the test failed.
/// </summary>
internal sealed class TransferTestKit : IAsyncDisposable
{
    private readonly List<TransferEngine> _engines = [];

    public TransferTestKit() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "bt-transfer-" + Guid.NewGuid().ToString("N"));

    public string PathOf(string relative)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>Starts an engine on a free port with its own state folder (named so a restart can reuse it).</summary>
    public TransferEngine StartEngine(string name, Action<TransferEngineOptions>? configure = null)
    {
        var options = new TransferEngineOptions
        {
            BindAddress = "127.0.0.1",
            PortRangeStart = 7000,
            PortRangeEnd = 7999,
            StateDirectory = PathOf($"{name}/state"),
            PieceTimeout = TimeSpan.FromSeconds(5),
            ConnectTimeout = TimeSpan.FromSeconds(3),
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        var engine = new TransferEngine(options);
        _engines.Add(engine);
        return engine.Start();
    }

    public async Task StopAsync(TransferEngine engine)
    {
        _engines.Remove(engine);
        await engine.DisposeAsync();
    }

    /// <summary>
    /// Random content, different in every kit: tests run in parallel and reuse freed ports, so two
    /// tests must never share a torrent by accident.
    /// </summary>
    public string WriteRandomFile(string relative, long length, int? seed = null)
    {
        var path = PathOf(relative);
        using var stream = File.Create(path);
        var random = seed is { } fixedSeed ? new Random(fixedSeed) : new Random();
        var buffer = new byte[1 << 20];
        for (var left = length; left > 0; left -= buffer.Length)
        {
            random.NextBytes(buffer);
            stream.Write(buffer, 0, (int)Math.Min(buffer.Length, left));
        }
        return path;
    }

    /// <summary>A file of the given size seeded by a new engine: (engine, torrent, path).</summary>
    public async Task<(TransferEngine Seeder, TorrentMetainfo Torrent, string Path)> StartSeederAsync(string name, long length, Action<TransferEngineOptions>? configure = null)
    {
        var path = WriteRandomFile($"{name}/files/data.bin", length);
        var torrent = TorrentMetainfo.CreateFromFile(path, "http://127.0.0.1/announce");
        var seeder = StartEngine(name, configure);
        await seeder.SeedAsync(torrent, path);
        return (seeder, torrent, path);
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    public static async Task<DownloadSnapshot> WaitForAsync(TransferEngine engine, Id160 infoHash, Func<DownloadSnapshot, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var snapshot = engine.GetDownload(infoHash);
            if (snapshot is not null && condition(snapshot)) return snapshot;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Download never reached the expected state; last snapshot: {snapshot}");
            await Task.Delay(20);
        }
    }

    public static Task<DownloadSnapshot> WaitForStateAsync(TransferEngine engine, Id160 infoHash, DownloadState state, TimeSpan? timeout = null) =>
        WaitForAsync(engine, infoHash, s => s.State == state, timeout);

    public static IPEndPoint[] EndPoints(params TransferEngine[] engines) => [.. engines.Select(e => e.LocalEndPoint)];

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in _engines) await engine.DisposeAsync();
        _engines.Clear();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
