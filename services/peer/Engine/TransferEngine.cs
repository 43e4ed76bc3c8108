using System.Collections.Concurrent;
using System.Net;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Logging.Abstractions;

namespace BitTorrent.Peer.Engine;

// Folders and their direction: Transfer/ is the wire (connections, messages, choking, serving
// blocks) and knows nothing of downloads; Downloads/ fetches pieces over that wire and depends on
// Transfer/; Engine/ (this folder) owns the thread and puts the two together. No folder depends
// on one that comes after it in that order.

/// <summary>
/// The peer's transfer engine: one TCP listener and one thread (<see cref="EngineLoop"/>)
/// running a select loop over non-blocking sockets. That thread owns every connection, torrent
/// and download; other threads post commands (the async methods below) through a queue and get
/// tasks back. Its collaborators, all on that thread: the <see cref="ConnectionTable"/> (accept,
/// dial, timeouts), the <see cref="PeerProtocol"/> (routing BEP 3 messages), the
/// <see cref="Choker"/> and <see cref="BlockServer"/> with its <see cref="UploadRateLimiter"/>
/// (uploads), the <see cref="TorrentRegistry"/> and one <see cref="DownloadController"/> per
/// download. One more thread, the <see cref="BlockWriter"/>'s, writes received blocks and verifies
/// pieces, and reports back through the command queue.
/// </summary>
/// <remarks>
/// Commands that do not fit a download's state throw <see cref="InvalidOperationException"/>
/// (see <see cref="DownloadController"/> for the moves); unknown info-hashes throw
/// <see cref="KeyNotFoundException"/>; before <see cref="Start"/> every command throws
/// <see cref="TransferEngineNotStartedException"/>; after disposal they fail with
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class TransferEngine : IAsyncDisposable
{
    private readonly TransferEngineOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _peerId = PeerIdentity.Create();
    private readonly CommandQueue _commands = new();
    private readonly ConcurrentDictionary<Id160, DownloadSnapshot> _snapshots = new();
    private readonly TaskCompletionSource _loopExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _startGate = new();
    private PeerListener? _listener;
    private BlockServer? _server;
    private TransferCounters? _counters;
    private volatile TorrentRegistry? _torrents;
    private Thread? _thread;
    private volatile bool _stopping;
    private int _disposed;

    public TransferEngine(TransferEngineOptions options, DownloadEventHub? events = null, ILogger<TransferEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Events = events ?? new DownloadEventHub();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Where downloads publish their events (progress, state changes, completion).</summary>
    public DownloadEventHub Events { get; }

    /// <summary>True once <see cref="Start"/> has run (and until disposal).</summary>
    public bool IsStarted => _thread is not null && _disposed == 0;

    /// <summary>Where peers reach our wire listener (after <see cref="Start"/>).</summary>
    public IPEndPoint LocalEndPoint => (_listener ?? throw new TransferEngineNotStartedException()).LocalEndPoint;

    /// <summary>The 20-byte peer id we send in handshakes and announces: new at every start of the process.</summary>
    public ReadOnlyMemory<byte> PeerId => _peerId;

    /// <summary>Payload bytes served to other peers (approximate when read off the engine thread).</summary>
    public long BytesServed => _server?.BytesServed ?? 0;

    /// <summary>Payload bytes received for downloads, pieces verified and failed, connections open; null before <see cref="Start"/>.</summary>
    public TransferCounters? Counters => _counters;

    /// <summary>Binds the listener (configured port, or the first free one in the range) and starts the engine thread.</summary>
    public TransferEngine Start()
    {
        lock (_startGate)
        {
            if (_thread is not null) throw new InvalidOperationException("The engine is already started.");
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            var listener = PeerListener.Bind(_options);
            var connections = new ConnectionTable(_options, _peerId);
            var writer = new BlockWriter(_commands.Post, _commands.Wake, _options.MaxUnwrittenBytes, e => EngineLog.LoopError(_logger, e), _options.DiskThread);
            var store = _options.StateDirectory is { } folder ? new DownloadStateStore(folder) : null;
            if (store is not null) store.Failed = (infoHash, error) => DownloadLog.StateSaveFailed(_logger, infoHash.ToString(), error);
            var context = new DownloadContext(_options, connections, writer, Events, store, _snapshots, listener.LocalEndPoint, _logger);
            var torrents = new TorrentRegistry(context, _logger, store is null ? null : UncleanStopCheck.Begin(_options.StateDirectory));
            var choker = new Choker(_options.MaxUnchokedPeers);
            var server = new BlockServer(_options, new UploadRateLimiter(_options.UploadRateLimit));
            var protocol = new PeerProtocol(_peerId, torrents, connections, choker, server, writer, _logger);
            var loop = new EngineLoop(_commands, listener, connections, torrents, protocol, choker, server, writer, _logger);
            (_listener, _server, _torrents, _counters) = (listener, server, torrents, connections.Counters);
            _thread = new Thread(() => Run(loop)) { IsBackground = true, Name = "transfer-engine" };
            _thread.Start();
            EngineLog.Listening(_logger, listener.LocalEndPoint, PeerIdentity.Describe(_peerId));
            return this;
        }
    }

    private void Run(EngineLoop loop)
    {
        try
        {
            loop.Run(() => _stopping);
        }
        finally
        {
            _commands.Close();
            _loopExited.TrySetResult();
        }
    }

    // ---- commands -----------------------------------------------------------------------

    /// <summary>Serves a complete file we hold. Idempotent for the same torrent and file.</summary>
    public Task SeedAsync(TorrentMetainfo torrent, string filePath) =>
        InvokeAsync(t => t.Seed(torrent, Path.GetFullPath(filePath)));

    /// <summary>
    /// Starts (or resumes from the state folder) fetching <paramref name="torrent"/> into
    /// <paramref name="targetPath"/>, dialling <paramref name="peers"/>. A download that already
    /// exists gets the peers added (and is retried if it had failed or was cancelled).
    /// </summary>
    public Task<DownloadSnapshot> StartDownloadAsync(TorrentMetainfo torrent, string targetPath, IEnumerable<IPEndPoint>? peers = null)
    {
        IPEndPoint[] endPoints = [.. peers ?? []];
        var path = Path.GetFullPath(targetPath);
        return InvokeAsync(t => t.StartDownload(torrent, path, endPoints));
    }

    /// <summary>Peers that may have pieces of a download (what the tracker returned).</summary>
    public Task AddPeersAsync(Id160 infoHash, IEnumerable<IPEndPoint> peers)
    {
        IPEndPoint[] endPoints = [.. peers];
        return InvokeAsync(t => t.Download(infoHash).AddPeers(endPoints));
    }

    public Task<DownloadSnapshot> PauseAsync(Id160 infoHash) => InvokeAsync(t => t.Download(infoHash).Pause());
    public Task<DownloadSnapshot> ResumeAsync(Id160 infoHash) => InvokeAsync(t => t.Download(infoHash).Resume());
    public Task<DownloadSnapshot> CancelAsync(Id160 infoHash) => InvokeAsync(t => t.Download(infoHash).Cancel());
    public Task<DownloadSnapshot> RetryAsync(Id160 infoHash) => InvokeAsync(t => t.Download(infoHash).Retry());

    /// <summary>
    /// Verifies every piece of a download on disk again (hashed off the engine thread); pieces that
    /// fail are fetched again. A completed download with a damaged piece runs until it is back.
    /// </summary>
    public async Task<DownloadSnapshot> RecheckAsync(Id160 infoHash, CancellationToken cancellationToken = default)
    {
        var (torrent, content) = await InvokeAsync(t =>
        {
            var download = t.Download(infoHash);
            return (download.Torrent, download.BeginRecheck());
        }).ConfigureAwait(false);
        var verified = await Task.Run(() => PieceCheck.Verify(torrent, content, cancellationToken), cancellationToken).ConfigureAwait(false);
        return await InvokeAsync(t => t.Download(infoHash).FinishRecheck(verified)).ConfigureAwait(false);
    }

    /// <summary>
    /// Tells the engine no further peers will be supplied: from now on, a download that has no
    /// connected peer with its missing pieces fails (instead of waiting) with a clear reason.
    /// </summary>
    public Task<DownloadSnapshot> DeclareNoMorePeersAsync(Id160 infoHash) => InvokeAsync(t => t.Download(infoHash).DeclareNoMorePeers());

    /// <summary>Stops serving and downloading a torrent and forgets it (and its state file); files are left on disk.</summary>
    public Task RemoveAsync(Id160 infoHash) => InvokeAsync(t => t.Remove(infoHash));

    /// <summary>Rebuilds every download saved in the state folder (after a restart); returns them.</summary>
    public Task<IReadOnlyList<DownloadSnapshot>> RestoreDownloadsAsync() => InvokeAsync(t => t.Restore());

    /// <summary>A download's peers, pieces and piece sources, taken on the engine thread now.</summary>
    public Task<DownloadDetails> GetDownloadDetailsAsync(Id160 infoHash) => InvokeAsync(t => t.Download(infoHash).Details());

    /// <summary>Fetches a download's pieces in file order (true) or rarest first (false).</summary>
    public Task<DownloadSnapshot> SetSequentialAsync(Id160 infoHash, bool sequential) => InvokeAsync(t => t.Download(infoHash).SetSequential(sequential));

    /// <summary>
    /// Waits until piece <paramref name="first"/> of a download is verified, putting pieces
    /// <paramref name="first"/> to <paramref name="last"/> at the front of its picker meanwhile (a reader
    /// of the file while it downloads). Returns how many pieces from <paramref name="first"/> on are
    /// verified in a row. Fails with <see cref="InvalidOperationException"/> when the download stops.
    /// </summary>
    public async Task<int> WaitForPiecesAsync(Id160 infoHash, int first, int last, CancellationToken cancellationToken)
    {
        var ready = await InvokeAsync(t =>
        {
            var download = t.Download(infoHash);
            var pieces = download.Torrent.PieceCount;
            if (first < 0 || last < first || last >= pieces) throw new ArgumentOutOfRangeException(nameof(first), $"Pieces {first}-{last} are not in 0-{pieces - 1}.");
            var task = download.Streaming.Want(download.Plan, first, last, cancellationToken);
            if (!task.IsCompleted) download.NeedsSchedule = true;
            return task;
        }).ConfigureAwait(false);
        return await ready.ConfigureAwait(false);
    }

    // ---- snapshots (any thread) ---------------------------------------------------------

    public DownloadSnapshot? GetDownload(Id160 infoHash) => _snapshots.GetValueOrDefault(infoHash);

    public IReadOnlyList<DownloadSnapshot> GetDownloads() =>
        [.. _snapshots.Values.OrderByDescending(s => s.StartedAt)];

    private Task<T> InvokeAsync<T>(Func<TorrentRegistry, T> body)
    {
        var torrents = _torrents ?? throw new TransferEngineNotStartedException();
        if (_stopping) return Task.FromException<T>(new ObjectDisposedException(nameof(TransferEngine)));
        return _commands.Invoke(() => body(torrents));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _loopExited.Task.ConfigureAwait(false);
            return;
        }
        lock (_startGate)
        {
            if (_thread is null)
            {
                _commands.Close();
                _commands.Dispose();
                _loopExited.TrySetResult();
                return;
            }
        }
        _stopping = true;
        _commands.Wake();
        await _loopExited.Task.ConfigureAwait(false);
        _commands.Dispose();
    }
}
