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
/// <see cref="Choker"/> and <see cref="BlockServer"/> with its upload <see cref="RateLimiter"/>
/// (uploads), the <see cref="TorrentRegistry"/> with the <see cref="DownloadQueue"/> and the
/// download limiter, and one <see cref="DownloadController"/> per download. One more thread, the <see cref="BlockWriter"/>'s, writes received blocks and verifies
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
            var server = new BlockServer(_options, new RateLimiter(_options.UploadRateLimit));
            var protocol = new PeerProtocol(_peerId, _options.FastExtension, torrents, connections, choker, server, writer, _logger);
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
    /// exists gets the peers added (and is retried if it had failed or was cancelled). <paramref name="wantedFiles"/>
    /// (one flag per file) fetches only some files of a new download; null: every file, or the saved choice.
    /// </summary>
    public Task<DownloadSnapshot> StartDownloadAsync(TorrentMetainfo torrent, string targetPath, IEnumerable<IPEndPoint>? peers = null, IReadOnlyList<bool>? wantedFiles = null)
    {
        IPEndPoint[] endPoints = [.. peers ?? []];
        var path = Path.GetFullPath(targetPath);
        bool[]? wanted = wantedFiles is null ? null : [.. wantedFiles];
        return InvokeAsync(t => t.StartDownload(torrent, path, endPoints, wanted));
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
    /// Fetches only the files flagged in <paramref name="files"/> (one flag per file of the torrent, in
    /// order): unwanted files are not fetched, except pieces they share with wanted ones.
    /// </summary>
    public Task<DownloadSnapshot> SelectFilesAsync(Id160 infoHash, IReadOnlyList<bool> files)
    {
        bool[] flags = [.. files];
        return InvokeAsync(t => t.Download(infoHash).SelectFiles(flags));
    }

    /// <summary>Per file of a download: whether it is wanted and how many of its bytes are verified.</summary>
    public Task<IReadOnlyList<(bool Wanted, long Done)>> GetFileProgressAsync(Id160 infoHash) =>
        InvokeAsync(t => t.Download(infoHash).FileProgress());

    /// <summary>
    /// Tells the engine no further peers will be supplied: from now on, a download that has no
    /// connected peer with its missing pieces fails (instead of waiting) with a clear reason.
    /// </summary>
    public Task<DownloadSnapshot> DeclareNoMorePeersAsync(Id160 infoHash) => InvokeAsync(t => t.Download(infoHash).DeclareNoMorePeers());

    /// <summary>Stops serving and downloading a torrent and forgets it (and its state file); files are left on disk.</summary>
    public Task RemoveAsync(Id160 infoHash) => InvokeAsync(t => t.Remove(infoHash));

    /// <summary>Rebuilds every download saved in the state folder (after a restart); returns them.</summary>
    public Task<IReadOnlyList<DownloadSnapshot>> RestoreDownloadsAsync() => InvokeAsync(t => t.Restore());

    // ---- magnet links: metadata from peers (BEP 9) ----------------------------------------

    /// <summary>
    /// The info dictionary of <paramref name="infoHash"/> fetched from <paramref name="peers"/> over BEP 9 and
    /// checked against the info-hash (see <see cref="MetadataFetcher"/>), or null when none of them gave it.
    /// </summary>
    public Task<byte[]?> FetchMetadataAsync(Id160 infoHash, IEnumerable<IPEndPoint> peers, CancellationToken cancellationToken = default)
    {
        if (!IsStarted) throw new TransferEngineNotStartedException();
        IPEndPoint[] endPoints = [.. peers.Where(p => !p.Equals(LocalEndPoint))];
        return new MetadataFetcher(_peerId, _options.ConnectTimeout, _logger).FetchAsync(infoHash, endPoints, cancellationToken);
    }

    /// <summary>
    /// Shows a download that has no torrent yet (a magnet link whose metadata is being fetched, state
    /// <see cref="DownloadState.Metadata"/>) beside the others: added when the engine has nothing for that
    /// info-hash, or replacing <paramref name="replacing"/>; false if anything else is there (the download has
    /// started meanwhile). <see cref="StartDownloadAsync"/> replaces it with the real download.
    /// </summary>
    public bool TryShowPendingDownload(DownloadSnapshot snapshot, DownloadSnapshot? replacing = null) =>
        replacing is null ? _snapshots.TryAdd(snapshot.InfoHash, snapshot) : _snapshots.TryUpdate(snapshot.InfoHash, snapshot, replacing);

    /// <summary>Removes a snapshot shown by <see cref="TryShowPendingDownload"/>, unless the real download has replaced it.</summary>
    public bool ForgetPendingDownload(DownloadSnapshot snapshot) => _snapshots.TryRemove(KeyValuePair.Create(snapshot.InfoHash, snapshot));

    // ---- limits and the queue ----------------------------------------------------------------

    /// <summary>
    /// Applies the limits over everything at once (bytes per second, 0 unlimited; active downloads, 0 no
    /// limit): a raised limit starts queued downloads at the next round, a lowered one stops nothing that runs.
    /// </summary>
    public Task ApplyLimitsAsync(long downloadLimit, long uploadLimit, int maxActiveDownloads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(downloadLimit);
        ArgumentOutOfRangeException.ThrowIfNegative(uploadLimit);
        ArgumentOutOfRangeException.ThrowIfNegative(maxActiveDownloads);
        return InvokeAsync(t =>
        {
            t.DownloadLimiter.BytesPerSecond = downloadLimit;
            _server!.Limiter.BytesPerSecond = uploadLimit;
            t.Queue.MaxActive = maxActiveDownloads;
            foreach (var download in t.Downloads) download.NeedsSchedule = true;
            return true;
        });
    }

    /// <summary>Sets one download's own limits (bytes per second, 0 unlimited), on top of the limits over everything; saved with its state.</summary>
    public Task<DownloadSnapshot> SetDownloadLimitsAsync(Id160 infoHash, long downloadLimit, long uploadLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(downloadLimit);
        ArgumentOutOfRangeException.ThrowIfNegative(uploadLimit);
        return InvokeAsync(t => t.Download(infoHash).SetLimits(downloadLimit, uploadLimit));
    }

    /// <summary>Moves a queued download in the queue (409 material: <see cref="InvalidOperationException"/> when it is not queued).</summary>
    public Task<DownloadSnapshot> MoveInQueueAsync(Id160 infoHash, QueueMove move) => InvokeAsync(t =>
    {
        var download = t.Download(infoHash);
        if (!t.Queue.Move(download, move))
            throw new InvalidOperationException($"Only a queued download has a place in the queue; this one is {download.State.ToString().ToLowerInvariant()}.");
        foreach (var queued in t.Queue.Queued) ((DownloadController)queued).QueueMoved();
        return download.Publish();
    });

    // ---- details and watching while it downloads ----------------------------------------------

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
