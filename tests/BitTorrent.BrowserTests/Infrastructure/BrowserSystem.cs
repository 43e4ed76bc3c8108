using System.Net.Http.Headers;
using BitTorrent.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace BitTorrent.BrowserTests.Infrastructure;

/// <summary>
/// The system a user meets, started once for the whole suite: a ring of three chord nodes, the
/// gateway (seeded with the ring, multicast off), two peers (multicast off, the ring as tracker
/// seeds) and Debian's headless Chromium driven by Playwright. The UI is always opened through
/// the gateway (/peers/{id}/). Disposing stops the browser and every process, even after a failure.
/// </summary>
public sealed class BrowserSystem : IAsyncLifetime
{
    /// <summary>Peer 1 uploads at 8 MiB/s so a 60 MiB download takes several seconds (time to pause it).</summary>
    public const long SeederUploadRate = 8 * 1024 * 1024;

    private const string Chromium = "/usr/bin/chromium";

    public TempFolder Folder { get; } = new();
    public ChordRing Ring { get; } = new();
    public ServiceProcess Gateway { get; private set; } = null!;
    public PeerProcess Peer1 { get; private set; } = null!;
    public PeerProcess Peer2 { get; private set; } = null!;
    public long Peer1Id { get; private set; }
    public long Peer2Id { get; private set; }
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public string GatewayUrl => Gateway.Url;
    public string PeerUiUrl(long peerId) => $"{Gateway.Url}/peers/{peerId}/";

    /// <summary>The login link <c>make run</c> prints for a peer: its UI url with its key.</summary>
    public string PeerLoginUrl(long peerId) => $"{PeerUiUrl(peerId)}?key={Uri.EscapeDataString(PeerById(peerId).ApiKey)}";

    public PeerProcess PeerById(long peerId) => peerId == Peer1Id ? Peer1 : peerId == Peer2Id ? Peer2 : throw new ArgumentException($"no peer {peerId}");

    /// <summary>Follows a peer's login link in a context (its tabs then share the session cookie) and closes the tab.</summary>
    public async Task LogInAsync(IBrowserContext context, long peerId)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(PeerLoginUrl(peerId));
        await page.CloseAsync();
    }

    /// <summary>
    /// Screenshots a user can look at, with stable names: under artifacts/screenshots/ on every run, or in the
    /// folder SCREENSHOTS_DIR names (`make screenshots` sets docs/screenshots/, the pictures the README shows).
    /// </summary>
    public static string ScreenshotPath(string name)
    {
        var configured = Environment.GetEnvironmentVariable("SCREENSHOTS_DIR");
        var folder = string.IsNullOrEmpty(configured)
            ? Path.Combine(ServiceProcess.RepositoryRoot(), "artifacts", "screenshots")
            : Path.GetFullPath(configured, ServiceProcess.RepositoryRoot());
        return Path.Combine(Directory.CreateDirectory(folder).FullName, name);
    }

    public async Task InitializeAsync()
    {
        try
        {
            await Ring.StartAsync(3);
            await Ring.WaitConvergedAsync();
            Gateway = await GatewayProcess.StartAsync(Ring);
            Peer1 = await PeerProcess.StartAsync(Ring, Folder.Sub("peer1"), new Dictionary<string, string>
            {
                ["Transfer__UploadRateLimit"] = SeederUploadRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            Peer2 = await PeerProcess.StartAsync(Ring, Folder.Sub("peer2"));
            Peer1Id = (await Peer1.MeAsync()).PeerId;
            Peer2Id = (await Peer2.MeAsync()).PeerId;

            // Playwright's own browser download is never used: Debian's chromium is.
            Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
            Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
            Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                ],
            });
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>A fresh browser context (own cookies, own tabs); close it when done.</summary>
    public async Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    /// <summary>Publishes a file on a peer through its REST API (not the UI) and returns its info-hash.</summary>
    public async Task<string> PublishViaApiAsync(PeerProcess peer, string path) => (await peer.PublishAsync(path)).InfoHash;

    /// <summary>
    /// Puts a .torrent straight into the tracker's catalog with nobody seeding it: what a user sees
    /// once a publisher went away for good (its swarm entry expired).
    /// </summary>
    public async Task<string> PublishOrphanTorrentAsync(string name, long length = 4096)
    {
        const int pieceLength = 262144;
        var info = new BitTorrent.Shared.Bencode.BDictionary
        {
            { "length", new BitTorrent.Shared.Bencode.BInteger(length) },
            { "name", new BitTorrent.Shared.Bencode.BString(name) },
            { "piece length", new BitTorrent.Shared.Bencode.BInteger(pieceLength) },
            { "pieces", new BitTorrent.Shared.Bencode.BString(new byte[20 * (int)((length + pieceLength - 1) / pieceLength)]) },
        };
        var torrent = new BitTorrent.Shared.Bencode.BDictionary
        {
            { "announce", new BitTorrent.Shared.Bencode.BString(Ring.Nodes[0].Url + "/announce") },
            { "info", info },
        };
        using var content = new ByteArrayContent(torrent.Encode());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-bittorrent");
        using var response = await Ring.Http.PostAsync($"{Ring.Nodes[0].Url}/api/tracker/files", content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"publishing the orphan torrent: {(int)response.StatusCode} {body}");
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("infoHash").GetString()!;
    }

    private bool _disposed;

    public async Task DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        SaveLogs();
        // Each step on its own, so one failure does not leave the rest running.
        await Attempt(async () => { if (Browser is not null) await Browser.CloseAsync(); });
        await Attempt(() => { Playwright?.Dispose(); return Task.CompletedTask; });
        await Attempt(async () => { if (Peer2 is not null) await Peer2.DisposeAsync(); });
        await Attempt(async () => { if (Peer1 is not null) await Peer1.DisposeAsync(); });
        await Attempt(async () => { if (Gateway is not null) await Gateway.DisposeAsync(); });
        await Attempt(async () => await Ring.DisposeAsync());
        Folder.Dispose();
    }

    /// <summary>
    /// Every process's output, kept in artifacts/test-logs/browser/ (a failed scenario's screenshots say what the user
    /// saw; these say what the peers, the gateway and the ring did meanwhile).
    /// </summary>
    private void SaveLogs()
    {
        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(ServiceProcess.RepositoryRoot(), "artifacts", "test-logs", "browser")).FullName;
            var processes = new List<(string Name, ServiceProcess? Process)>
            {
                ("peer1", Peer1?.Process), ("peer2", Peer2?.Process), ("gateway", Gateway),
            };
            processes.AddRange(Ring.Nodes.Select((node, i) => ($"chord-node{i + 1}", (ServiceProcess?)node)));
            foreach (var (name, process) in processes)
                if (process is not null) File.WriteAllText(Path.Combine(folder, name + ".log"), process.Log);
        }
        catch (IOException)
        {
            // Best effort: the logs only help to read a failure.
        }
    }

    private static async Task Attempt(Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is PlaywrightException or InvalidOperationException or IOException or ObjectDisposedException)
        {
            // Best effort while tearing down.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserSystem>
{
    public const string Name = "browser";
}
