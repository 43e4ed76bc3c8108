using System.ComponentModel.DataAnnotations;

namespace BitTorrent.Peer.Transfer;

/// <summary>Settings of the transfer engine (configuration section "Transfer").</summary>
public sealed class TransferEngineOptions
{
    public const string SectionName = "Transfer";

    /// <summary>Address the peer wire listener binds; 127.0.0.1 keeps tests off the network.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Listener port; 0 takes the first free port in [<see cref="PortRangeStart"/>, <see cref="PortRangeEnd"/>].</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    [Range(1, 65535)]
    public int PortRangeStart { get; set; } = 7000;

    [Range(1, 65535)]
    public int PortRangeEnd { get; set; } = 7999;

    /// <summary>Folder for download state files; null keeps no state (nothing resumes after a restart).</summary>
    public string? StateDirectory { get; set; }

    /// <summary>The window k: piece transactions running at once per download.</summary>
    [Range(1, 256)]
    public int Window { get; set; } = 16;

    /// <summary>Caps the window in bytes (window × piece length), so huge pieces cannot blow memory.</summary>
    [Range(1, int.MaxValue)]
    public int MaxWindowBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Block requests in flight per connection (pipelining depth; 256 × 16 KiB = 4 MiB keeps loopback busy).</summary>
    [Range(1, 4096)]
    public int MaxRequestsPerPeer { get; set; } = 256;

    /// <summary>
    /// Received bytes handed to the block writer and not yet on disk; past this the engine stops
    /// reading download sockets until the writer catches up (TCP slows the senders meanwhile).
    /// </summary>
    [Range(1024 * 1024, 1024L * 1024 * 1024)]
    public long MaxUnwrittenBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Write received blocks and check pieces on a thread of their own (the block writer's), so
    /// the engine thread only receives and hashes. Off by default: on our two-core machine the
    /// blocks' trip to the other core cost more CPU than the thread saved (1 GiB over loopback,
    /// alternating runs: 309–364 MiB/s with it, 340–500 MiB/s without; docs/benchmarks.md).
    /// </summary>
    public bool DiskThread { get; set; }

    /// <summary>
    /// Offer BEP 6, the fast extension (handshake bit 0x04 in reserved byte 7): with a peer that offers it too, have
    /// all / have none instead of a bitfield, a reject for every request we will not serve (and a rejected block goes
    /// back to the picker at once instead of waiting for a timeout), and allowed-fast pieces served while choked.
    /// Off: plain BEP 3, for measuring and for peers that get it wrong.
    /// </summary>
    public bool FastExtension { get; set; } = true;

    /// <summary>Requests a peer may queue with us before further ones are refused (rejected on a fast connection, ignored otherwise).</summary>
    [Range(1, 65536)]
    public int MaxQueuedRequestsPerPeer { get; set; } = 1024;

    /// <summary>A piece transaction that makes no progress for this long is retried with another attendant.</summary>
    public TimeSpan PieceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a connect, and then a handshake, may take; a silent handshake is dropped after it.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An open connection that sends no message but keep-alives for this long is closed (see <see cref="ConnectionLimits"/>).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>An unchoked peer that requests nothing for this long while others wait for an upload slot is closed.</summary>
    public TimeSpan IdleUploadTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an address that sent a corrupt piece is refused and not dialled.</summary>
    public TimeSpan BanDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Connections from one address: at most this many in their handshake, and this many open per torrent.</summary>
    [Range(1, 10_000)]
    public int MaxConnectionsPerAddress { get; set; } = 8;

    /// <summary>First delay before dialling a lost peer again; doubles per failure up to 30 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 10_000)]
    public int MaxConnections { get; set; } = 200;

    /// <summary>Interested peers we unchoke at once (we serve them all up to this limit).</summary>
    [Range(1, 10_000)]
    public int MaxUnchokedPeers { get; set; } = 32;

    /// <summary>Per-connection receive buffer; each read syscall can bring this many bytes (several blocks).</summary>
    [Range(32 * 1024, 16 * 1024 * 1024)]
    public int ReceiveBufferSize { get; set; } = 256 * 1024;

    /// <summary>Per-connection send buffer; served blocks are batched here into few send syscalls.</summary>
    [Range(64 * 1024, 16 * 1024 * 1024)]
    public int SendBufferSize { get; set; } = 256 * 1024;

    /// <summary>
    /// Upload limit in bytes per second over all connections; 0 is unlimited. The default of the peer's
    /// <c>uploadLimit</c> setting: a limit saved through <c>PUT /api/settings</c> replaces it.
    /// </summary>
    [Range(0, PeerLimits.MaxBytesPerSecond)]
    public long UploadRateLimit { get; set; }

    /// <summary>
    /// Download limit in bytes per second over all downloads; 0 is unlimited. The default of the peer's
    /// <c>downloadLimit</c> setting: a limit saved through <c>PUT /api/settings</c> replaces it.
    /// </summary>
    [Range(0, PeerLimits.MaxBytesPerSecond)]
    public long DownloadRateLimit { get; set; }

    /// <summary>
    /// Downloads fetching at once; more wait in state queued. 0 is no limit. The default of the peer's
    /// <c>maxActiveDownloads</c> setting: a number saved through <c>PUT /api/settings</c> replaces it.
    /// </summary>
    [Range(0, PeerLimits.MaxActiveDownloads)]
    public int MaxActiveDownloads { get; set; }

    /// <summary>
    /// SO_SNDBUF/SO_RCVBUF in bytes; 0 leaves them to the kernel. On Linux setting them disables
    /// TCP buffer autotuning (and caps them at net.core.*mem_max), which is usually slower.
    /// </summary>
    [Range(0, 64 * 1024 * 1024)]
    public int SocketBufferSize { get; set; }
}
