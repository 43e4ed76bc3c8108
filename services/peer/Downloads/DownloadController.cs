using System.Net;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// One download, on the engine thread: its state and the moves between states, its plan of
/// pieces, its peers (<see cref="DownloadPeers"/>) and window of transactions
/// (<see cref="TransactionWindow"/>), its timers, its saved state, and the snapshots and events
/// others see. Moves: Pause (Downloading, WaitingForPeers, Queued → Paused), Resume (Paused →
/// Downloading), Cancel (anything but Completed → Cancelled, partial file and state deleted),
/// Retry (Failed → Downloading keeping verified pieces; Cancelled → Downloading from scratch),
/// SelectFiles (which files are fetched: Completed ↔ Downloading as wanted pieces are missing or not).
/// Every move to Downloading goes through the <see cref="DownloadQueue"/>: with every slot
/// taken it is a move to Queued instead, and the queue starts it when its turn comes. Its own
/// limits: <see cref="DownloadLimiter"/> for the blocks it requests, the swarm's upload limiter
/// for the blocks it serves.
/// Repeating a command in its target state is a no-op; any other move throws
/// <see cref="InvalidOperationException"/> with a sentence a user can read.
/// </summary>
internal sealed class DownloadController : IPieceListener, IQueuedDownload
{
    private readonly DownloadContext _context;
    private readonly DownloadReporter _report;

    public DownloadController(DownloadContext context, Swarm swarm, Bitfield verified, DateTimeOffset startedAt, WantedPieces? wanted = null)
    {
        _context = context;
        Swarm = swarm;
        StartedAt = startedAt;
        Window = new TransactionWindow(context, DownloadLimiter);
        Peers = new DownloadPeers(context, this);
        _report = new DownloadReporter(context);
        Streaming = new StreamingPriority(new RarestFirstPicker(Random.Shared.Next(Math.Max(1, swarm.Torrent.PieceCount))));
        Plan = PiecePlan.Create(swarm.Torrent.Geometry, verified, wanted);
        Sources = new PieceSources(swarm.Torrent.PieceCount);
    }

    public Swarm Swarm { get; }
    public TorrentMetainfo Torrent => Swarm.Torrent;
    public Id160 InfoHash => Torrent.InfoHash;
    /// <summary>The file of a single-file torrent, the folder of a multi-file one.</summary>
    public string TargetPath => Swarm.ContentPath;
    public DownloadState State { get; private set; } = DownloadState.Downloading;
    public string? Error { get; private set; }
    public DateTimeOffset StartedAt { get; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public PiecePlan Plan { get; private set; }
    public DownloadPeers Peers { get; }
    public TransactionWindow Window { get; }

    /// <summary>This download's own download limit (0, unlimited, unless the user set one), on top of the engine's.</summary>
    public RateLimiter DownloadLimiter { get; } = new();

    /// <summary>The picker: readers of the file and sequential order first, then rarest first.</summary>
    public StreamingPriority Streaming { get; }

    /// <summary>Which attendant served each verified piece.</summary>
    public PieceSources Sources { get; private set; }

    /// <summary>Set by the owner when no more peers can appear: waiting then becomes failing.</summary>
    public bool NoMorePeers { get; private set; }
    public long BytesReceived { get; private set; }
    public int CorruptPieces { get; private set; }

    /// <summary>Something changed (peer, choke, piece done): try to start transactions this loop round.</summary>
    public bool NeedsSchedule { get; set; } = true;

    /// <summary>Bumped when the plan is thrown away (cancel, remove), so late results of the old one are ignored.</summary>
    public int Generation { get; private set; }

    public bool IsActive => State is DownloadState.Downloading or DownloadState.WaitingForPeers;

    // ---- commands -----------------------------------------------------------------------

    /// <summary>
    /// The first move of a new controller: peers given, and complete at once if every piece was verified before;
    /// queued (at <paramref name="queuePosition"/> if it had one saved, else last) when every slot is taken.
    /// </summary>
    public DownloadSnapshot Start(IEnumerable<IPEndPoint> peers, int? queuePosition = null)
    {
        if (Plan.IsComplete || _context.Queue.HasSlot(this)) _context.Queue.OnStateChanged(this, State);
        else
        {
            State = DownloadState.Queued;
            _context.Queue.OnStateChanged(this, State, queuePosition);
        }
        AddPeers(peers);
        DownloadLog.Started(_context.Logger, Torrent.Name, InfoHash.Short, Plan.VerifiedCount, Torrent.PieceCount);
        if (Plan.IsComplete)
        {
            Complete();
            return Publish();
        }
        SaveState();
        return Publish(DownloadEventKind.StateChanged);
    }

    public DownloadSnapshot AddPeers(IEnumerable<IPEndPoint> peers)
    {
        Peers.Add(peers);
        if (IsActive) Peers.DialDue(Environment.TickCount64);
        return Publish();
    }

    public DownloadSnapshot Pause()
    {
        switch (State)
        {
            case DownloadState.Paused:
                return Publish();
            case DownloadState.Downloading or DownloadState.WaitingForPeers or DownloadState.Queued:
                StopFetching();
                ChangeState(DownloadState.Paused);
                SaveState();
                return Publish();
            default:
                throw new InvalidOperationException($"A {Describe(State)} download cannot be paused.");
        }
    }

    public DownloadSnapshot Resume()
    {
        switch (State)
        {
            case DownloadState.Downloading or DownloadState.WaitingForPeers or DownloadState.Queued:
                return Publish();
            case DownloadState.Paused:
                Activate();
                SaveState();
                return Publish();
            default:
                throw new InvalidOperationException(State == DownloadState.Failed
                    ? "A failed download is started again with retry."
                    : $"A {Describe(State)} download cannot be resumed.");
        }
    }

    public DownloadSnapshot Cancel()
    {
        switch (State)
        {
            case DownloadState.Cancelled:
                return Publish();
            case DownloadState.Completed:
                throw new InvalidOperationException("A completed download cannot be cancelled; its file is kept and seeded.");
        }
        Discard("download cancelled");
        ContentFiles.Delete(Torrent, TargetPath);
        Error = null;
        ChangeState(DownloadState.Cancelled);
        return Publish();
    }

    public DownloadSnapshot Retry()
    {
        switch (State)
        {
            case DownloadState.Downloading or DownloadState.WaitingForPeers or DownloadState.Queued:
                return Publish();
            case DownloadState.Failed:
                Swarm.Content ??= ContentFiles.OpenToDownload(Torrent, TargetPath, truncate: Plan.VerifiedCount == 0, Plan.Wanted.Files);
                break;
            case DownloadState.Cancelled:
                Swarm.Content = ContentFiles.OpenToDownload(Torrent, TargetPath, truncate: true, Plan.Wanted.Files);
                break;
            default:
                throw new InvalidOperationException($"Only a failed or cancelled download can be retried, not a {Describe(State)} one.");
        }
        Error = null;
        NoMorePeers = false;
        Peers.ForgetFailures();
        if (Plan.IsComplete)
        {
            Complete();
            return Publish();
        }
        Activate();
        SaveState();
        return Publish();
    }

    /// <summary>
    /// The first half of a recheck: every running transaction ended (their late blocks are ignored) and
    /// the files opened if they were closed; the caller then hashes them off the engine thread.
    /// </summary>
    public ContentFiles BeginRecheck()
    {
        if (State == DownloadState.Cancelled) throw new InvalidOperationException("A cancelled download has no files to check; retry it instead.");
        StopFetching();
        Window.Clear();
        Generation++;
        return Swarm.Content ??= ContentFiles.OpenToDownload(Torrent, TargetPath, truncate: false, Plan.Wanted.Files);
    }

    /// <summary>
    /// The second half: the pieces found good on disk are the verified ones from now on; the others are
    /// fetched again (a completed download becomes a running one until they are back).
    /// </summary>
    public DownloadSnapshot FinishRecheck(Bitfield verified)
    {
        Generation++;
        Plan = PiecePlan.Create(Torrent.Geometry, verified, Plan.Wanted);
        foreach (var a in Peers.Attendants)
            if (a.Connection.RemotePieces is { } pieces) Plan.AddAvailability(pieces); // the new plan knows who has what
        Swarm.Have = Bitfield.TryRead(verified.Bytes, verified.Count, out var copy) ? copy : new Bitfield(Torrent.PieceCount);
        _report.Dirty = true;
        DownloadLog.Rechecked(_context.Logger, Torrent.Name, verified.SetCount, Torrent.PieceCount);
        if (Plan.IsComplete)
        {
            if (State != DownloadState.Completed) Complete();
            else SaveState();
            return Publish();
        }
        Error = null;
        if (State != DownloadState.Paused) Activate();
        SaveState();
        return Publish();
    }

    /// <summary>
    /// Fetches only the files flagged in <paramref name="files"/> (one flag per file, torrent order) from now on;
    /// pieces in flight finish. A completed download with newly wanted pieces runs again; a running one whose
    /// wanted pieces are all verified completes. Newly wanted files are created on disk now.
    /// </summary>
    public DownloadSnapshot SelectFiles(IReadOnlyList<bool> files)
    {
        if (State == DownloadState.Cancelled) throw new InvalidOperationException("A cancelled download has no files to choose; retry it first.");
        Plan.Want(WantedPieces.Of(Torrent.Layout, files));
        if (Swarm.Content is { } content)
            for (var i = 0; i < files.Count; i++)
                if (files[i]) content.Touch(i);
        _report.Dirty = true;
        DownloadLog.FilesSelected(_context.Logger, Torrent.Name, files.Count(f => f), files.Count);
        if (Plan.IsComplete)
        {
            if (IsActive) Complete();
            else SaveState();
            // A completed download may have become whole (every piece was here): the library takes it in then.
            return Publish(State == DownloadState.Completed ? DownloadEventKind.Completed : DownloadEventKind.StateChanged);
        }
        if (State == DownloadState.Completed)
        {
            CompletedAt = null;
            Swarm.Content ??= ContentFiles.OpenToDownload(Torrent, TargetPath, truncate: false, Plan.Wanted.Files);
            Activate();
        }
        else if (IsActive)
        {
            foreach (var a in Peers.Attendants) UpdateInterest(a.Connection);
            NeedsSchedule = true;
        }
        SaveState();
        return Publish(DownloadEventKind.StateChanged);
    }

    /// <summary>Per file of the torrent: whether it is wanted and how many of its bytes lie in verified pieces.</summary>
    public IReadOnlyList<(bool Wanted, long Done)> FileProgress()
    {
        var layout = Torrent.Layout;
        var progress = new (bool, long)[layout.FileCount];
        for (var file = 0; file < progress.Length; file++)
        {
            long done = 0;
            if (layout.PiecesOfFile(file) is var (first, last))
                for (var piece = first; piece <= last; piece++)
                    if (Plan.Pieces[piece].Status == PieceStatus.Verified) done += layout.Overlap(piece, file);
            progress[file] = (Plan.Wanted.HasFile(file), done);
        }
        return progress;
    }

    public DownloadSnapshot DeclareNoMorePeers()
    {
        NoMorePeers = true;
        if (IsActive) EvaluateProgress();
        return Publish();
    }

    /// <summary>Stops for good: connections closed, file closed (kept on disk), state file deleted, snapshot gone.</summary>
    public void Remove()
    {
        Discard("torrent removed");
        _context.Queue.Forget(this);
        _context.Snapshots.TryRemove(InfoHash, out _);
        _context.Events.Publish(DownloadEvent.Of(_report.Snapshot(this), DownloadEventKind.Removed, DateTimeOffset.UtcNow));
    }

    /// <summary>Fails with a reason (disk errors, no peer left, a failure restored from a saved state).</summary>
    public void Fail(string reason)
    {
        StopFetching();
        Streaming.Abandon($"the download failed: {reason}");
        Error = reason;
        ChangeState(DownloadState.Failed);
        SaveState();
        Publish();
    }

    private void Complete()
    {
        CompletedAt ??= DateTimeOffset.UtcNow;
        foreach (var a in Peers.Attendants) a.Connection.SetInterested(false);
        ChangeState(DownloadState.Completed);
        SaveState();
    }

    /// <summary>Its turn in the queue: a slot is free, it starts fetching.</summary>
    public void StartFromQueue()
    {
        if (State != DownloadState.Queued) return;
        Activate();
        SaveState();
    }

    /// <summary>Sets this download's own limits (bytes per second, 0 unlimited); saved with its state.</summary>
    public DownloadSnapshot SetLimits(long downloadLimit, long uploadLimit)
    {
        ApplyLimits(downloadLimit, uploadLimit);
        SaveState();
        return Publish(DownloadEventKind.Progress);
    }

    /// <summary>Sets the limits without saving (a restored download gets the ones it saved).</summary>
    public void ApplyLimits(long downloadLimit, long uploadLimit)
    {
        DownloadLimiter.BytesPerSecond = downloadLimit;
        Swarm.UploadLimiter.BytesPerSecond = uploadLimit;
        NeedsSchedule = true;
    }

    /// <summary>Its place in the queue changed (the user moved it or one before it): saved, so the order survives a restart.</summary>
    public DownloadSnapshot QueueMoved()
    {
        SaveState();
        return Publish(DownloadEventKind.Progress);
    }

    /// <summary>Becomes active if the queue has a slot for it, else waits queued (its transactions ended).</summary>
    private void Activate()
    {
        if (!_context.Queue.HasSlot(this))
        {
            StopFetching();
            ChangeState(DownloadState.Queued);
            return;
        }
        ChangeState(DownloadState.Downloading);
        foreach (var a in Peers.Attendants) UpdateInterest(a.Connection);
        NeedsSchedule = true;
        Peers.DialDue(Environment.TickCount64);
    }

    /// <summary>Ends every running transaction (pause, failure) and stops asking peers for pieces.</summary>
    private void StopFetching()
    {
        foreach (var a in Peers.Attendants)
        {
            Window.Abandon(a, sendCancel: true);
            a.Connection.SetInterested(false);
        }
    }

    /// <summary>Throws the plan away (cancel, remove): connections closed, file closed, state file deleted.</summary>
    private void Discard(string reason)
    {
        StopFetching();
        Peers.DetachAll();
        foreach (var c in Swarm.Connections) c.Close(reason);
        Window.Clear();
        Swarm.Content?.Dispose();
        Swarm.Content = null;
        _context.Store?.Delete(InfoHash);
        Generation++;
        Plan = PiecePlan.Create(Torrent.Geometry, new Bitfield(Torrent.PieceCount), Plan.Wanted);
        Swarm.Have = new Bitfield(Torrent.PieceCount);
        Streaming.Abandon($"the download stopped: {reason}");
        Sources = new PieceSources(Torrent.PieceCount);
    }

    // ---- the running download -------------------------------------------------------------

    /// <summary>Starts piece transactions if something changed since the last round.</summary>
    public void Schedule(long now)
    {
        NeedsSchedule = false;
        if (!IsActive || Swarm.Content is not { } content) return;
        Window.Fill(this, Generation, Plan, Streaming, Peers.Attendants, Swarm, content, now);
        if (Window.Throttled) NeedsSchedule = true; // a limiter is empty: request again at the next round
        if (Window.Count > 0 && State == DownloadState.WaitingForPeers) ChangeState(DownloadState.Downloading);
    }

    /// <summary>Every engine tick: stalled pieces, peers to dial, whether anyone can supply us, speed, saving, progress.</summary>
    public void Tick(long now)
    {
        if (IsActive)
        {
            if (Window.TimeOutStalled(now)) NeedsSchedule = true;
            Peers.DialDue(now);
            EvaluateProgress();
        }
        _report.Tick(this, now);
    }

    /// <summary>Payload of a block accepted from the network.</summary>
    public void CountReceived(int bytes)
    {
        BytesReceived += bytes;
        _context.Connections.Counters.Received(bytes);
    }

    public void OnPieceChecked(PieceTransaction transaction, bool valid)
    {
        if (transaction.Generation != Generation) return; // a result for a plan thrown away
        Window.Remove(transaction);
        var piece = transaction.Piece;
        NeedsSchedule = true;
        if (!valid)
        {
            CorruptPieces++;
            _context.Connections.Counters.PieceFailed();
            PiecePlan.Release(piece, transaction.Attendant);
            DownloadLog.CorruptPiece(_context.Logger, piece.Index, transaction.Attendant.Describe(), Torrent.Name);
            Peers.Ban(transaction.Attendant);
            return;
        }
        Plan.MarkVerified(piece);
        Sources.Record(piece.Index, transaction.Attendant);
        Streaming.OnVerified(Plan, piece.Index);
        _context.Connections.Counters.PieceVerified();
        Swarm.AddPiece(piece.Index); // served to others from now on
        _report.Dirty = true;
        if (Plan.IsComplete && State is not (DownloadState.Failed or DownloadState.Cancelled)) Complete();
    }

    public void OnPieceFailed(PieceTransaction transaction, string reason)
    {
        if (transaction.Generation != Generation || transaction.Piece.Status == PieceStatus.Verified) return;
        Window.Remove(transaction);
        PiecePlan.Release(transaction.Piece, null);
        if (IsActive) Fail(reason.StartsWith(DiskSpace.FullPrefix, StringComparison.Ordinal) ? reason : $"writing {Torrent.Name} failed: {reason}");
    }

    /// <summary>Downloading while some connected peer has a missing piece; otherwise waiting, or failed once no more peers can appear.</summary>
    private void EvaluateProgress()
    {
        if (!IsActive) return;
        var supplied = Window.Count > 0;
        var dialling = false;
        foreach (var c in Swarm.Connections)
        {
            if (c.Phase is ConnectionPhase.Connecting or ConnectionPhase.Handshaking) dialling = true;
            else if (!supplied && c is { IsOpen: true, RemotePieces: { } pieces } && Peers.Find(c) is { Banned: false } && Plan.HasWantedPiece(pieces)) supplied = true;
        }
        if (supplied) ChangeState(DownloadState.Downloading);
        else if (NoMorePeers && !dialling)
            Fail($"no peer has the missing pieces ({Plan.MissingWanted} of {Torrent.PieceCount})");
        else ChangeState(DownloadState.WaitingForPeers);
    }

    /// <summary>Interested exactly when the peer has a piece this download, running, still needs.</summary>
    public void UpdateInterest(PeerConnection c) =>
        c.SetInterested(IsActive && c.RemotePieces is { } pieces && Plan.HasWantedPiece(pieces));

    public DownloadSnapshot Publish(DownloadEventKind? kind = null) => _report.Publish(this, kind);

    /// <summary>Peers, pieces and their sources, taken now (on demand, not at every tick).</summary>
    public DownloadDetails Details() => _report.Details(this);

    /// <summary>Switches between file order and rarest first; takes effect at the next pick.</summary>
    public DownloadSnapshot SetSequential(bool sequential)
    {
        Streaming.Sequential = sequential;
        NeedsSchedule = true;
        return Publish(DownloadEventKind.Progress);
    }

    /// <summary>Saves the state file now (at shutdown).</summary>
    public void SaveNow() => _report.Save(this);

    private void SaveState() => _report.Save(this);

    private void ChangeState(DownloadState state)
    {
        if (State == state) return;
        DownloadLog.StateChanged(_context.Logger, Torrent.Name, State, state, Error);
        State = state;
        _context.Queue.OnStateChanged(this, state);
        _report.Dirty = true;
        Publish(state == DownloadState.Completed ? DownloadEventKind.Completed : DownloadEventKind.StateChanged);
    }

    private static string Describe(DownloadState state) => state.ToString().ToLowerInvariant();
}
