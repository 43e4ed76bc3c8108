using System.Net;
using System.Security.Cryptography;
using BitTorrent.Peer.Downloads;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Win32.SafeHandles;

namespace BitTorrent.Peer.Transfer;

// The "dwn" side: downloads, the window of piece transactions, verification, state and commands.
public sealed partial class TransferEngine
{
    private static readonly TimeSpan StateSaveInterval = TimeSpan.FromSeconds(1);

    // ---- commands (run on the engine thread) --------------------------------------------

    private bool Seed(TorrentMetainfo torrent, string filePath)
    {
        if (_swarms.TryGetValue(torrent.InfoHash, out var existing))
        {
            if (existing.IsServing && existing.Have.IsComplete) return true;
            throw new InvalidOperationException($"{torrent.Name} is being downloaded; it is served as its pieces arrive.");
        }
        var file = File.OpenHandle(filePath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        if (RandomAccess.GetLength(file) != torrent.Length)
        {
            file.Dispose();
            throw new InvalidOperationException($"{filePath} is not {torrent.Length} bytes long as the torrent says.");
        }
        var have = new Bitfield(torrent.PieceCount);
        have.SetAll();
        _swarms.Add(torrent.InfoHash, new Swarm(torrent, filePath, have) { File = file });
        Log.Seeding(_logger, torrent.Name, torrent.InfoHash.Short);
        return true;
    }

    private DownloadSnapshot StartDownload(TorrentMetainfo torrent, string targetPath, IPEndPoint[] peers)
    {
        if (_swarms.TryGetValue(torrent.InfoHash, out var existing))
        {
            if (existing.Download is not { } current) throw new InvalidOperationException($"{torrent.Name} is already held and seeded here.");
            AddPeers(existing, peers);
            return current.State is DownloadState.Failed or DownloadState.Cancelled ? Retry(current) : Publish(current);
        }

        var record = _store?.TryLoad(torrent.InfoHash);
        var verified = Resumable(record, torrent, targetPath) ?? new Bitfield(torrent.PieceCount);
        var file = OpenTarget(targetPath, torrent.Length, truncate: verified.IsEmpty);
        var download = new Download(torrent, targetPath, verified, record?.StartedAt ?? DateTimeOffset.UtcNow);
        var swarm = new Swarm(torrent, targetPath, Copy(verified)) { File = file, Download = download };
        _swarms.Add(torrent.InfoHash, swarm);
        AddPeers(swarm, peers);
        Log.DownloadStarted(_logger, torrent.Name, torrent.InfoHash.Short, verified.SetCount, torrent.PieceCount);
        if (download.Plan.IsComplete) Complete(swarm, download);
        else SaveState(download);
        return Publish(download);
    }

    /// <summary>The verified pieces of a saved download, trusted only if the file is still there at full length.</summary>
    private static Bitfield? Resumable(DownloadRecord? record, TorrentMetainfo torrent, string targetPath)
    {
        if (record is null || record.State == DownloadState.Cancelled || record.TargetPath != targetPath) return null;
        var info = new FileInfo(targetPath);
        if (!info.Exists || info.Length != torrent.Length) return null;
        return DownloadStateStore.VerifiedOf(record, torrent.PieceCount);
    }

    private static SafeFileHandle OpenTarget(string path, long length, bool truncate)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // A new file is preallocated (the OS reserves the blocks at once); either way it has its
        // full length up front, and pieces are written in place at their offsets.
        var file = truncate
            ? File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, FileOptions.None, preallocationSize: length)
            : File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        if (RandomAccess.GetLength(file) != length) RandomAccess.SetLength(file, length);
        return file;
    }

    private void AddPeers(Swarm swarm, IPEndPoint[] peers)
    {
        if (swarm.Download is not { } download) return;
        foreach (var endPoint in peers)
        {
            if (endPoint.Equals(LocalEndPoint) || download.FindPeer(endPoint) is not null) continue;
            download.Peers.Add(new KnownPeer(endPoint));
        }
        if (download.IsActive) DialPeers(swarm, download, Environment.TickCount64);
    }

    private DownloadSnapshot Pause(Download download)
    {
        switch (download.State)
        {
            case DownloadState.Paused:
                return Publish(download);
            case DownloadState.Downloading or DownloadState.WaitingForPeers:
                StopFetching(download);
                ChangeState(download, DownloadState.Paused);
                SaveState(download);
                return Publish(download);
            default:
                throw new InvalidOperationException($"A {download.State.ToString().ToLowerInvariant()} download cannot be paused.");
        }
    }

    private DownloadSnapshot Resume(Download download)
    {
        switch (download.State)
        {
            case DownloadState.Downloading or DownloadState.WaitingForPeers:
                return Publish(download);
            case DownloadState.Paused:
                Activate(download);
                return Publish(download);
            default:
                throw new InvalidOperationException(download.State == DownloadState.Failed
                    ? "A failed download is started again with retry."
                    : $"A {download.State.ToString().ToLowerInvariant()} download cannot be resumed.");
        }
    }

    private DownloadSnapshot Cancel(Download download)
    {
        switch (download.State)
        {
            case DownloadState.Cancelled:
                return Publish(download);
            case DownloadState.Completed:
                throw new InvalidOperationException("A completed download cannot be cancelled; its file is kept and seeded.");
        }
        var swarm = _swarms[download.InfoHash];
        StopFetching(download);
        foreach (var c in swarm.Connections.ToArray()) Close(c, "download cancelled");
        swarm.File?.Dispose();
        swarm.File = null;
        File.Delete(download.TargetPath);
        _store?.Delete(download.InfoHash);
        download.Reset(new Bitfield(download.Torrent.PieceCount)); // late verifications of the old plan are ignored
        swarm.Have = new Bitfield(download.Torrent.PieceCount);
        download.Error = null;
        ChangeState(download, DownloadState.Cancelled);
        return Publish(download);
    }

    private DownloadSnapshot Retry(Download download)
    {
        var swarm = _swarms[download.InfoHash];
        switch (download.State)
        {
            case DownloadState.Downloading or DownloadState.WaitingForPeers:
                return Publish(download);
            case DownloadState.Failed:
                swarm.File ??= OpenTarget(download.TargetPath, download.Torrent.Length, truncate: download.Plan.VerifiedCount == 0);
                break;
            case DownloadState.Cancelled:
                swarm.File = OpenTarget(download.TargetPath, download.Torrent.Length, truncate: true);
                break;
            default:
                throw new InvalidOperationException($"Only a failed or cancelled download can be retried, not a {download.State.ToString().ToLowerInvariant()} one.");
        }
        download.Error = null;
        download.NoMorePeers = false;
        foreach (var peer in download.Peers)
        {
            peer.Failures = 0;
            peer.RetryAt = 0;
        }
        if (download.Plan.IsComplete)
        {
            Complete(swarm, download);
            return Publish(download);
        }
        Activate(download);
        SaveState(download);
        return Publish(download);
    }

    private DownloadSnapshot DeclareNoMorePeers(Download download)
    {
        download.NoMorePeers = true;
        if (download.IsActive) EvaluateProgress(_swarms[download.InfoHash], download);
        return Publish(download);
    }

    private void Remove(Swarm swarm)
    {
        if (swarm.Download is { } download)
        {
            StopFetching(download);
            download.Reset(new Bitfield(download.Torrent.PieceCount));
            _store?.Delete(download.InfoHash);
            _snapshots.TryRemove(download.InfoHash, out _);
        }
        foreach (var c in swarm.Connections.ToArray()) Close(c, "torrent removed");
        swarm.File?.Dispose();
        swarm.File = null;
        _swarms.Remove(swarm.Torrent.InfoHash);
    }

    private IReadOnlyList<DownloadSnapshot> RestoreDownloads()
    {
        if (_store is null) return [];
        var restored = new List<DownloadSnapshot>();
        foreach (var record in _store.LoadAll())
        {
            if (_swarms.ContainsKey(record.InfoHash) || record.State == DownloadState.Cancelled) continue;
            TorrentMetainfo torrent;
            try
            {
                torrent = TorrentMetainfo.Parse(record.Torrent);
            }
            catch (InvalidTorrentException)
            {
                continue;
            }
            var snapshot = StartDownload(torrent, record.TargetPath, []);
            var download = _swarms[torrent.InfoHash].Download!;
            if (record.State == DownloadState.Paused && download.IsActive) snapshot = Pause(download);
            else if (record.State == DownloadState.Failed && download.IsActive)
            {
                Fail(download, record.Error ?? "failed before the restart");
                snapshot = Publish(download);
            }
            restored.Add(snapshot);
        }
        return restored;
    }

    private Swarm SwarmOf(Id160 infoHash) =>
        _swarms.TryGetValue(infoHash, out var swarm) ? swarm : throw new KeyNotFoundException($"No torrent {infoHash} in this engine.");

    private Download DownloadOf(Id160 infoHash) =>
        SwarmOf(infoHash).Download ?? throw new KeyNotFoundException($"No download {infoHash} in this engine (it is only seeded).");

    // ---- the window of piece transactions -----------------------------------------------

    private void ScheduleDownloads(long now)
    {
        foreach (var swarm in _swarms.Values)
            if (swarm.Download is { NeedsSchedule: true } download) Schedule(swarm, download, now);
    }

    /// <summary>Starts piece transactions until the window is full or no attendant can take one.</summary>
    private void Schedule(Swarm swarm, Download download, long now)
    {
        download.NeedsSchedule = false;
        if (!download.IsActive) return;
        var window = Math.Clamp(_options.MaxWindowBytes / download.Torrent.PieceLength, 1, _options.Window);
        while (download.Transactions.Count < window && download.Plan.TryPick(swarm.Connections, out var piece, out var attendant))
        {
            piece!.Status = PieceStatus.InFlight;
            piece.Attendant = attendant;
            var transaction = new PieceTransaction(download, piece, attendant!, RentHash(), now);
            download.Transactions.Add(transaction);
            attendant!.Transactions.Add(transaction);
            RequestBlocks(attendant, now);
        }
        if (download.Transactions.Count > 0 && download.State == DownloadState.WaitingForPeers) ChangeState(download, DownloadState.Downloading);
    }

    /// <summary>Keeps up to MaxRequestsPerPeer block requests in flight to an attendant (pipelining).</summary>
    private void RequestBlocks(PeerConnection c, long now)
    {
        foreach (var transaction in c.Transactions)
        {
            while (!transaction.AllRequested && c.OutstandingRequests < _options.MaxRequestsPerPeer)
            {
                if (c.SendFree < MessageWriter.RequestLength) return;
                var (begin, length) = transaction.TakeNextBlock();
                MessageWriter.WriteRequest(c.GetSendSpan(MessageWriter.RequestLength), transaction.Piece.Index, begin, length);
                c.CommitSend(MessageWriter.RequestLength);
                c.OutstandingRequests++;
                transaction.LastActivity = now;
            }
            if (c.OutstandingRequests >= _options.MaxRequestsPerPeer) return;
        }
    }

    /// <summary>
    /// A block of a piece message; <paramref name="payloadStart"/> is where it sits in the
    /// connection's receive buffer. It is hashed (when in order) and queued for a positional write
    /// straight from there; the write goes out before the buffer moves on (<see cref="FlushWrites"/>).
    /// </summary>
    private void OnBlock(PeerConnection c, PeerMessage message, int payloadStart, long now)
    {
        PieceTransaction? transaction = null;
        foreach (var candidate in c.Transactions)
        {
            if (candidate.Piece.Index == message.Index)
            {
                transaction = candidate;
                break;
            }
        }
        // Late blocks of abandoned transactions and blocks we never asked for are dropped.
        if (transaction is null || !transaction.TryAccept(message.Begin, message.Payload)) return;

        QueueWrite(c, transaction.Download, transaction.Piece.Offset + message.Begin, c.ReceivedMemory(payloadStart, message.Length));
        c.OutstandingRequests = Math.Max(0, c.OutstandingRequests - 1);
        c.LastBlockAt = now;
        c.IsSnubbed = false;
        transaction.LastActivity = now;
        transaction.Download.BytesReceived += message.Length;
        Interlocked.Add(ref _bytesReceived, message.Length);
        if (transaction.IsComplete)
        {
            c.Transactions.Remove(transaction);
            transaction.Piece.Status = PieceStatus.Verifying;
            _completed.Add(transaction); // verified once its last blocks are on disk (FinishPieces)
            transaction.Download.NeedsSchedule = true;
        }
        RequestBlocks(c, now);
    }

    // ---- writing blocks -----------------------------------------------------------------

    /// <summary>
    /// Adds a block to the run of pending writes; a run is file-contiguous and comes from one
    /// receive buffer, and goes out as one gathered positional write.
    /// </summary>
    private void QueueWrite(PeerConnection c, Download download, long fileOffset, ReadOnlyMemory<byte> block)
    {
        if (_writeSegments.Count > 0 && (_writeOwner != c || _writeDownload != download
            || _writeOffset + _writeLength != fileOffset || _writeSegments.Count >= MaxWriteSegments)) FlushWrites();
        if (_writeSegments.Count == 0)
        {
            _writeOwner = c;
            _writeDownload = download;
            _writeOffset = fileOffset;
            _writeLength = 0;
        }
        _writeSegments.Add(block);
        _writeLength += block.Length;
    }

    /// <summary>Writes the pending run (one pwritev); a failure fails its download in <see cref="FinishPieces"/>.</summary>
    private void FlushWrites()
    {
        if (_writeSegments.Count == 0) return;
        var download = _writeDownload!;
        try
        {
            if (_swarms.TryGetValue(download.InfoHash, out var swarm) && swarm.Download == download && swarm.File is { } file)
                RandomAccess.Write(file, _writeSegments, _writeOffset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            _writeFailure ??= (download, e.Message);
        }
        finally
        {
            _writeSegments.Clear();
            _writeOwner = null;
            _writeDownload = null;
        }
    }

    /// <summary>
    /// Verifies the pieces completed in the last batch of messages, after their blocks were
    /// written: a piece is on disk before it is marked verified (so a crash never invents one).
    /// </summary>
    private void FinishPieces()
    {
        FlushWrites();
        var failure = _writeFailure;
        _writeFailure = null;
        foreach (var transaction in _completed)
        {
            var download = transaction.Download;
            download.Transactions.Remove(transaction);
            var current = transaction.Generation == download.Generation && _swarms.TryGetValue(download.InfoHash, out var swarm) && swarm.Download == download;
            if (!current || failure?.Download == download)
            {
                PiecePlan.Release(transaction.Piece, null);
                ReturnHash(transaction);
                continue;
            }
            bool valid;
            try
            {
                valid = transaction.Verify(download.Torrent.GetPieceHash(transaction.Piece.Index), _swarms[download.InfoHash].File!, _scratchBlock);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                failure ??= (download, e.Message);
                PiecePlan.Release(transaction.Piece, null);
                ReturnHash(transaction);
                continue;
            }
            ReturnHash(transaction);
            OnVerified(transaction, valid);
        }
        _completed.Clear();
        if (failure is var (failed, message) && failed.IsActive && _swarms.TryGetValue(failed.InfoHash, out var owner) && owner.Download == failed)
            Fail(failed, $"writing {failed.Torrent.Name} failed: {message}");
    }

    private IncrementalHash RentHash() => _hashes.TryPop(out var hash) ? hash : IncrementalHash.CreateHash(HashAlgorithmName.SHA1);

    private void ReturnHash(PieceTransaction transaction)
    {
        if (transaction.ReleaseHash() is { } hash) _hashes.Push(hash);
    }

    private void OnVerified(PieceTransaction transaction, bool valid)
    {
        var download = transaction.Download;
        var swarm = _swarms[download.InfoHash];
        var piece = transaction.Piece;
        if (!valid)
        {
            download.CorruptPieces++;
            Interlocked.Increment(ref _piecesFailed);
            PiecePlan.Release(piece, transaction.Attendant);
            Log.CorruptPiece(_logger, piece.Index, transaction.Attendant.Describe(), download.Torrent.Name);
            Ban(transaction.Attendant, download);
            download.NeedsSchedule = true;
            return;
        }

        download.Plan.MarkVerified(piece);
        Interlocked.Increment(ref _piecesVerified);
        swarm.Have.Set(piece.Index);
        download.StateDirty = true;
        BroadcastHave(swarm, piece.Index); // served to others from now on
        if (download.Plan.IsComplete) Complete(swarm, download);
        else download.NeedsSchedule = true;
    }

    /// <summary>A peer that sent a corrupt piece is dropped and never used again for this download.</summary>
    private void Ban(PeerConnection c, Download download)
    {
        c.Banned = true;
        if (c.RemotePeerId is { } peerId) download.BannedPeerIds.Add(peerId);
        if (c.KnownPeer is { } known) known.Banned = true;
        Close(c, "sent a corrupt piece");
    }

    /// <summary>Gives the attendant's unfinished pieces back to the plan (they go to other attendants first).</summary>
    private void AbandonTransactions(PeerConnection c, bool sendCancel)
    {
        if (c.Transactions.Count == 0) return;
        var abandoned = c.Transactions.ToArray();
        c.Transactions.Clear();
        c.OutstandingRequests = 0;
        foreach (var transaction in abandoned)
        {
            if (sendCancel && c.Phase == ConnectionPhase.Open)
            {
                foreach (var (begin, length) in transaction.OutstandingBlocks())
                    TrySend(c, MessageWriter.RequestLength, span => MessageWriter.WriteCancel(span, transaction.Piece.Index, begin, length));
            }
            PiecePlan.Release(transaction.Piece, c);
            transaction.Download.Transactions.Remove(transaction);
            ReturnHash(transaction);
            transaction.Download.NeedsSchedule = true;
        }
    }

    /// <summary>Ends every running transaction (pause, cancel, failure) and stops asking peers for pieces.</summary>
    private void StopFetching(Download download)
    {
        var swarm = _swarms[download.InfoHash];
        foreach (var c in swarm.Connections.ToArray())
        {
            if (c.Phase == ConnectionPhase.Closed) continue;
            AbandonTransactions(c, sendCancel: true);
            SetInterested(c, false);
        }
    }

    private void Activate(Download download)
    {
        var swarm = _swarms[download.InfoHash];
        ChangeState(download, DownloadState.Downloading);
        foreach (var c in swarm.Connections) UpdateInterest(c);
        download.NeedsSchedule = true;
        DialPeers(swarm, download, Environment.TickCount64);
    }

    private void Complete(Swarm swarm, Download download)
    {
        download.CompletedAt ??= DateTimeOffset.UtcNow;
        ChangeState(download, DownloadState.Completed);
        foreach (var c in swarm.Connections) SetInterested(c, false);
        SaveState(download);
        Publish(download);
    }

    private void Fail(Download download, string reason)
    {
        StopFetching(download);
        download.Error = reason;
        ChangeState(download, DownloadState.Failed);
        SaveState(download);
        Publish(download);
    }

    private void ChangeState(Download download, DownloadState state)
    {
        if (download.State == state) return;
        Log.DownloadState(_logger, download.Torrent.Name, download.State, state, download.Error);
        download.State = state;
        download.StateDirty = true;
    }

    // ---- timers -------------------------------------------------------------------------

    private void TickDownload(Swarm swarm, Download download, long now)
    {
        if (download.IsActive)
        {
            TimeOutStalledPieces(download, now);
            DialPeers(swarm, download, now);
            EvaluateProgress(swarm, download);
        }
        if (now - download.SpeedSampleAt >= 1000)
        {
            var bytes = download.BytesReceived - download.SpeedSampleBytes;
            download.BytesPerSecond = download.SpeedSampleAt == 0 ? 0 : bytes * 1000.0 / (now - download.SpeedSampleAt);
            download.SpeedSampleAt = now;
            download.SpeedSampleBytes = download.BytesReceived;
        }
        if (download.StateDirty && now >= download.NextStateSaveAt)
        {
            SaveState(download);
            download.NextStateSaveAt = now + (long)StateSaveInterval.TotalMilliseconds;
        }
        Publish(download);
    }

    /// <summary>
    /// Per-piece timeout on monotonic time: a piece with requests out whose attendant has delivered
    /// nothing for PieceTimeout is given back and fetched from another attendant.
    /// </summary>
    private void TimeOutStalledPieces(Download download, long now)
    {
        var timeout = (long)_options.PieceTimeout.TotalMilliseconds;
        foreach (var transaction in download.Transactions.ToArray())
        {
            if (transaction.Piece.Status != PieceStatus.InFlight || transaction.Outstanding == 0) continue;
            var attendant = transaction.Attendant;
            if (now - Math.Max(transaction.LastActivity, attendant.LastBlockAt) <= timeout) continue;
            Log.PieceTimedOut(_logger, transaction.Piece.Index, attendant.Describe());
            attendant.IsSnubbed = true;
            AbandonTransactions(attendant, sendCancel: true); // the attendant is stalled: all its pieces move
        }
    }

    private void DialPeers(Swarm swarm, Download download, long now)
    {
        foreach (var peer in download.Peers)
            if (peer.Connection is null && !peer.Banned && now >= peer.RetryAt) Dial(swarm, peer, now);
    }

    /// <summary>Downloading while some connected peer has a missing piece; otherwise waiting, or failed once no more peers can appear.</summary>
    private void EvaluateProgress(Swarm swarm, Download download)
    {
        if (!download.IsActive) return;
        var supplied = download.Transactions.Count > 0;
        var dialling = false;
        foreach (var c in swarm.Connections)
        {
            if (c.Phase is ConnectionPhase.Connecting or ConnectionPhase.Handshaking) dialling = true;
            else if (!supplied && c is { Phase: ConnectionPhase.Open, Banned: false, RemotePieces: { } pieces } && download.Plan.HasWantedPiece(pieces)) supplied = true;
        }
        if (supplied) ChangeState(download, DownloadState.Downloading);
        else if (download.NoMorePeers && !dialling)
            Fail(download, $"no peer has the missing pieces ({download.Torrent.PieceCount - download.Plan.VerifiedCount} of {download.Torrent.PieceCount})");
        else ChangeState(download, DownloadState.WaitingForPeers);
    }

    // ---- state and snapshots ------------------------------------------------------------

    private void SaveState(Download download)
    {
        download.StateDirty = false;
        if (_store is null || download.State == DownloadState.Cancelled) return;
        try
        {
            _store.Save(new DownloadRecord(download.InfoHash, download.TargetPath, download.State, download.Error,
                download.VerifiedBitfield().Bytes.ToArray(), download.Torrent.ToBytes(), download.StartedAt, download.CompletedAt));
        }
        catch (IOException e)
        {
            Log.StateSaveFailed(_logger, download.Torrent.Name, e.Message);
        }
    }

    private DownloadSnapshot Publish(Download download)
    {
        var connected = 0;
        if (_swarms.TryGetValue(download.InfoHash, out var swarm))
            foreach (var c in swarm.Connections)
                if (c.Phase == ConnectionPhase.Open) connected++;
        var snapshot = download.ToSnapshot(connected);
        _snapshots[download.InfoHash] = snapshot;
        return snapshot;
    }

    private static Bitfield Copy(Bitfield bits) => Bitfield.TryRead(bits.Bytes, bits.Count, out var copy) ? copy : throw new InvalidOperationException();
}
