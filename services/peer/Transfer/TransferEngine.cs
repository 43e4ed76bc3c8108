using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using BitTorrent.Peer.Downloads;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Logging.Abstractions;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The peer's transfer engine: one TCP listener and one dedicated thread running a select loop
/// over non-blocking sockets. That thread owns every connection, swarm and download; other
/// threads post commands (the async methods below) through a queue and wake the loop through a
/// loopback socket pair. It serves pieces of the files it holds ("send" transactions) and fetches
/// pieces of downloads ("dwn" transactions), over the BEP 3 peer wire protocol.
/// </summary>
/// <remarks>
/// Commands that do not fit the download's state throw <see cref="InvalidOperationException"/>;
/// unknown info-hashes throw <see cref="KeyNotFoundException"/>. Moves: Pause (Downloading,
/// WaitingForPeers → Paused), Resume (Paused → Downloading), Cancel (anything but Completed →
/// Cancelled, partial file and state deleted), Retry (Failed → Downloading keeping verified pieces;
/// Cancelled → Downloading from scratch). Repeating a command in its target state is a no-op.
/// </remarks>
public sealed partial class TransferEngine : IAsyncDisposable
{
    private readonly TransferEngineOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _peerId;
    private readonly DownloadStateStore? _store;
    private readonly ConcurrentQueue<IEngineCommand> _commands = new();
    private readonly ConcurrentDictionary<Id160, DownloadSnapshot> _snapshots = new();
    private readonly TaskCompletionSource _loopExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Owned by the engine thread.
    private readonly Dictionary<Id160, Swarm> _swarms = [];
    private readonly List<PeerConnection> _connections = [];
    private readonly Dictionary<Socket, PeerConnection> _bySocket = new(ReferenceEqualityComparer.Instance);
    private int _unchoked;
    private long _bytesServed;
    private long _bytesReceived;
    private long _piecesVerified;
    private long _piecesFailed;
    private int _connectionCount;
    private double _uploadTokens;
    private readonly List<Memory<byte>> _readSegments = [];

    // Blocks received in the current batch: one pending file-contiguous write run, and pieces to verify after it.
    private const int MaxWriteSegments = 64;
    private readonly List<ReadOnlyMemory<byte>> _writeSegments = [];
    private PeerConnection? _writeOwner;
    private Download? _writeDownload;
    private long _writeOffset;
    private int _writeLength;
    private (Download Download, string Message)? _writeFailure;
    private readonly List<PieceTransaction> _completed = [];
    private readonly Stack<System.Security.Cryptography.IncrementalHash> _hashes = new();
    private readonly byte[] _scratchBlock = new byte[PieceGeometry.BlockSize];
    private readonly Action<PeerConnection, long> _onReadable;
    private readonly Action<PeerConnection, long> _finishConnect;
    private readonly Action<PeerConnection, long> _pumpSend;
    private long _uploadTokensAt;

    private Socket? _listener;
    private LoopWaker? _waker;
    private Thread? _thread;
    private volatile bool _stopping;
    private int _disposed;

    public TransferEngine(TransferEngineOptions options, ILogger<TransferEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _peerId = PeerIdentity.FromNumber(options.PeerNumber);
        if (options.StateDirectory is { } folder) _store = new DownloadStateStore(folder);
        // Cached once: a method group converted at each readiness event would allocate a delegate each time.
        _onReadable = OnReadable;
        _finishConnect = FinishConnect;
        _pumpSend = PumpSend;
    }

    /// <summary>Where peers reach our wire listener (valid after <see cref="Start"/>).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener ?? throw new InvalidOperationException("The engine is not started.")).LocalEndPoint!;

    /// <summary>The 20-byte peer id we send in handshakes.</summary>
    public ReadOnlyMemory<byte> PeerId => _peerId;

    /// <summary>Payload bytes served to other peers (approximate when read off the engine thread).</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    /// <summary>Payload bytes received from other peers for downloads (all of them, since the engine started).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Pieces received that passed their SHA-1 check, since the engine started.</summary>
    public long PiecesVerified => Interlocked.Read(ref _piecesVerified);

    /// <summary>Pieces received that failed their SHA-1 check (their senders were dropped), since the engine started.</summary>
    public long PiecesFailed => Interlocked.Read(ref _piecesFailed);

    /// <summary>Peer wire connections open now, both directions, downloads and seeding alike.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Binds the listener (configured port, or the first free one in the range) and starts the engine thread.</summary>
    public TransferEngine Start()
    {
        if (_thread is not null) throw new InvalidOperationException("The engine is already started.");
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _listener = Listen();
        _waker = new LoopWaker();
        _thread = new Thread(Run) { IsBackground = true, Name = "transfer-engine" };
        _thread.Start();
        Log.Listening(_logger, LocalEndPoint, PeerIdentity.Describe(_peerId));
        return this;
    }

    // ---- commands -----------------------------------------------------------------------

    /// <summary>Serves a complete file we hold. Idempotent for the same torrent and file.</summary>
    public Task SeedAsync(TorrentMetainfo torrent, string filePath) =>
        InvokeAsync(() => Seed(torrent, Path.GetFullPath(filePath)));

    /// <summary>
    /// Starts (or resumes from the state folder) fetching <paramref name="torrent"/> into
    /// <paramref name="targetPath"/>, dialling <paramref name="peers"/>. A download that already
    /// exists gets the peers added (and is retried if it had failed or was cancelled).
    /// </summary>
    public Task<DownloadSnapshot> StartDownloadAsync(TorrentMetainfo torrent, string targetPath, IEnumerable<IPEndPoint>? peers = null)
    {
        var endPoints = peers?.ToArray() ?? [];
        return InvokeAsync(() => StartDownload(torrent, Path.GetFullPath(targetPath), endPoints));
    }

    /// <summary>Peers that may have pieces of a download (later: what the tracker returned).</summary>
    public Task AddPeersAsync(Id160 infoHash, IEnumerable<IPEndPoint> peers)
    {
        var endPoints = peers.ToArray();
        return InvokeAsync(() => AddPeers(SwarmOf(infoHash), endPoints));
    }

    public Task<DownloadSnapshot> PauseAsync(Id160 infoHash) => InvokeAsync(() => Pause(DownloadOf(infoHash)));
    public Task<DownloadSnapshot> ResumeAsync(Id160 infoHash) => InvokeAsync(() => Resume(DownloadOf(infoHash)));
    public Task<DownloadSnapshot> CancelAsync(Id160 infoHash) => InvokeAsync(() => Cancel(DownloadOf(infoHash)));
    public Task<DownloadSnapshot> RetryAsync(Id160 infoHash) => InvokeAsync(() => Retry(DownloadOf(infoHash)));

    /// <summary>
    /// Tells the engine no further peers will be supplied: from now on, a download that has no
    /// connected peer with its missing pieces fails (instead of waiting) with a clear reason.
    /// </summary>
    public Task<DownloadSnapshot> DeclareNoMorePeersAsync(Id160 infoHash) => InvokeAsync(() => DeclareNoMorePeers(DownloadOf(infoHash)));

    /// <summary>Stops serving and downloading a torrent and forgets it (and its state file); files are left on disk.</summary>
    public Task RemoveAsync(Id160 infoHash) => InvokeAsync(() => Remove(SwarmOf(infoHash)));

    /// <summary>Rebuilds every download saved in the state folder (after a restart); returns them.</summary>
    public Task<IReadOnlyList<DownloadSnapshot>> RestoreDownloadsAsync() => InvokeAsync(RestoreDownloads);

    // ---- snapshots (any thread) ---------------------------------------------------------

    public DownloadSnapshot? GetDownload(Id160 infoHash) => _snapshots.GetValueOrDefault(infoHash);

    public IReadOnlyList<DownloadSnapshot> GetDownloads() =>
        [.. _snapshots.Values.OrderByDescending(s => s.StartedAt)];

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _loopExited.Task.ConfigureAwait(false);
            return;
        }
        if (_thread is null)
        {
            _loopExited.TrySetResult();
            return;
        }
        _stopping = true;
        _waker!.Wake();
        await _loopExited.Task.ConfigureAwait(false);
    }

    // ---- command plumbing ---------------------------------------------------------------

    private interface IEngineCommand
    {
        void Run();
        void Abort();
    }

    private sealed class Command<T>(Func<T> body) : IEngineCommand
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task<T> Task => _completion.Task;

        public void Run()
        {
            try
            {
                _completion.TrySetResult(body());
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
        }

        public void Abort() => _completion.TrySetException(new ObjectDisposedException(nameof(TransferEngine)));
    }

    private Task InvokeAsync(Action body) => InvokeAsync(() =>
    {
        body();
        return true;
    });

    private Task<T> InvokeAsync<T>(Func<T> body)
    {
        if (_thread is null) throw new InvalidOperationException("Start the engine first.");
        var command = new Command<T>(body);
        if (_stopping)
        {
            command.Abort();
            return command.Task;
        }
        _commands.Enqueue(command);
        _waker!.Wake();
        if (_loopExited.Task.IsCompleted) AbortQueuedCommands();
        return command.Task;
    }

    private void AbortQueuedCommands()
    {
        while (_commands.TryDequeue(out var command)) command.Abort();
    }

    private Socket Listen()
    {
        var address = IPAddress.Parse(_options.BindAddress);
        if (_options.Port != 0) return Bind(address, _options.Port) ?? throw new SocketException((int)SocketError.AddressAlreadyInUse);
        for (var port = _options.PortRangeStart; port <= _options.PortRangeEnd; port++)
            if (Bind(address, port) is { } socket) return socket;
        throw new InvalidOperationException($"No free port in {_options.PortRangeStart}-{_options.PortRangeEnd} on {address}.");
    }

    private static Socket? Bind(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(128);
            socket.Blocking = false;
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            socket.Dispose();
            return null;
        }
    }
}
