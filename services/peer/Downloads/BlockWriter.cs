using BitTorrent.Peer.Torrents;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// The disk side of downloads, on its own thread so the engine thread only receives and parses:
/// blocks staged by the engine thread point into a connection's receive buffer, which is handed
/// over whole (no copy); this thread feeds each block to its piece's <see cref="PieceVerifier"/>,
/// writes file-contiguous blocks with one gathered positional write, returns the buffer to the
/// pool once it has checked the pieces those blocks completed. Results go back to the engine thread
/// (<see cref="IPieceListener"/>) through its command queue. A piece is on disk before it can be
/// reported verified. Buffers handed over and not yet given back are bounded: past the bound the
/// engine stops reading download sockets until this thread catches up (backpressure through TCP).
/// </summary>
internal sealed class BlockWriter : IDisposable
{
    private readonly Queue<Job> _jobs = new(); // guarded by itself; the writer takes everything queued at once
    private readonly List<Job> _taken = [];
    private bool _writerWaiting;
    private bool _stopped;
    private readonly Action<Action> _post;
    private readonly Action _wakeEngine;
    private readonly long _maxBytesInFlight;
    private readonly Thread _thread;
    private long _bytesInFlight;
    private volatile bool _engineWaiting;

    // Staged on the engine thread for the buffer being parsed.
    private readonly List<BlockSegment> _staged = [];
    private readonly List<PieceTransaction> _stagedChecks = [];

    // Used on the writer thread only.
    private readonly List<ReadOnlyMemory<byte>> _run = [];
    private readonly byte[] _scratch = new byte[PieceGeometry.BlockSize];

    /// <param name="post">Runs an action on the engine thread (its command queue).</param>
    /// <param name="wakeEngine">Wakes the engine's select loop (when it stopped reading and the backlog has drained).</param>
    /// <param name="maxBytesInFlight">Received bytes handed over and not yet written before the engine stops reading.</param>
    public BlockWriter(Action<Action> post, Action wakeEngine, long maxBytesInFlight)
    {
        _post = post;
        _wakeEngine = wakeEngine;
        _maxBytesInFlight = maxBytesInFlight;
        _thread = new Thread(Run) { IsBackground = true, Name = "block-writer" };
        _thread.Start();
    }

    /// <summary>Bytes of receive buffers handed over and not given back yet.</summary>
    public long BytesInFlight => Interlocked.Read(ref _bytesInFlight);

    /// <summary>True while the backlog is at its bound: the engine should not read download sockets (it is woken when it drains).</summary>
    public bool IsBehind
    {
        get
        {
            if (BytesInFlight < _maxBytesInFlight) return false;
            _engineWaiting = true;
            return BytesInFlight >= _maxBytesInFlight;
        }
    }

    // ---- engine thread ------------------------------------------------------------------

    public bool HasStaged => _staged.Count > 0;

    /// <summary>A block accepted for a transaction: <paramref name="length"/> bytes at <paramref name="offset"/> in the buffer being parsed.</summary>
    public void Stage(PieceTransaction transaction, int block, int offset, int length) =>
        _staged.Add(new BlockSegment(transaction, block, offset, length));

    /// <summary>The transaction's last block was staged: check the piece once the staged blocks are written.</summary>
    public void StageCheck(PieceTransaction transaction) => _stagedChecks.Add(transaction);

    /// <summary>Hands over the buffer the staged blocks point into (this thread returns it to <see cref="ReceiveBuffers"/>), with the staged checks.</summary>
    public void Submit(byte[] buffer)
    {
        long bytes = buffer.Length; // the memory held until the writer is done with it
        Interlocked.Add(ref _bytesInFlight, bytes);
        var job = new Job(buffer, [.. _staged], _stagedChecks.Count == 0 ? [] : [.. _stagedChecks], bytes, null);
        _staged.Clear();
        _stagedChecks.Clear();
        if (!Enqueue(job)) Finish(job); // stopped: nothing is written
    }

    /// <summary>An abandoned transaction: its SHA-1 state goes back to the pool after its pending blocks.</summary>
    public void Discard(PieceTransaction transaction) => Enqueue(new Job(null, [], [], 0, transaction));

    private bool Enqueue(Job job)
    {
        lock (_jobs)
        {
            if (_stopped) return false;
            _jobs.Enqueue(job);
            if (_writerWaiting) Monitor.Pulse(_jobs);
        }
        return true;
    }

    // ---- writer thread ------------------------------------------------------------------

    private void Run()
    {
        while (true)
        {
            lock (_jobs)
            {
                while (_jobs.Count == 0 && !_stopped)
                {
                    _writerWaiting = true;
                    Monitor.Wait(_jobs);
                    _writerWaiting = false;
                }
                if (_jobs.Count == 0) return; // stopped and drained
                while (_jobs.TryDequeue(out var queued)) _taken.Add(queued);
            }
            foreach (var job in _taken)
            {
                if (job.Discarded is { } discarded) discarded.Verifier.Release();
                else Process(job);
            }
            _taken.Clear();
        }
    }

    private void Process(Job job)
    {
        var segments = job.Segments;
        for (var i = 0; i < segments.Length;)
        {
            // A run: blocks of one file, each starting where the previous ended.
            var first = segments[i];
            var fileOffset = first.FileOffset;
            var end = fileOffset;
            var n = i;
            _run.Clear();
            while (n < segments.Length && ReferenceEquals(segments[n].Transaction.File, first.Transaction.File) && segments[n].FileOffset == end)
            {
                var segment = segments[n];
                var data = job.Buffer.AsMemory(segment.Offset, segment.Length);
                segment.Transaction.Verifier.Append(segment.Block, data.Span);
                _run.Add(data);
                end += segment.Length;
                n++;
            }
            try
            {
                RandomAccess.Write(first.Transaction.File, _run, fileOffset);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                for (var k = i; k < n; k++)
                {
                    var transaction = segments[k].Transaction;
                    if (!transaction.Verifier.WriteFailed) Post(transaction, null, e.Message);
                    transaction.Verifier.WriteFailed = true;
                }
            }
            i = n;
        }
        _run.Clear();
        foreach (var transaction in job.Checks) Check(transaction);
        Finish(job);
    }

    private void Check(PieceTransaction transaction)
    {
        var verifier = transaction.Verifier;
        if (verifier.WriteFailed)
        {
            verifier.Release();
            return; // already reported
        }
        try
        {
            var valid = verifier.Verify(transaction.Torrent.GetPieceHash(transaction.Piece.Index), transaction.File, _scratch);
            Post(transaction, valid, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            verifier.Release();
            Post(transaction, null, e.Message);
        }
    }

    private void Post(PieceTransaction transaction, bool? valid, string? failure) => _post(() =>
    {
        if (valid is { } checkedValid) transaction.Owner.OnPieceChecked(transaction, checkedValid);
        else transaction.Owner.OnPieceFailed(transaction, failure!);
    });

    /// <summary>Returns the job's buffer and its bytes to the budget; wakes a waiting engine once half the budget is free.</summary>
    private void Finish(Job job)
    {
        if (job.Buffer is { } buffer) ReceiveBuffers.Pool.Return(buffer);
        var left = Interlocked.Add(ref _bytesInFlight, -job.Bytes);
        if (_engineWaiting && left <= _maxBytesInFlight / 2)
        {
            _engineWaiting = false;
            _wakeEngine();
        }
    }

    /// <summary>Writes what was handed over, then stops the thread.</summary>
    public void Dispose()
    {
        lock (_jobs)
        {
            _stopped = true;
            Monitor.Pulse(_jobs);
        }
        if (Thread.CurrentThread != _thread) _thread.Join();
    }

    private readonly record struct BlockSegment(PieceTransaction Transaction, int Block, int Offset, int Length)
    {
        public long FileOffset => Transaction.Piece.Offset + (long)Block * PieceGeometry.BlockSize;
    }

    private sealed record Job(byte[]? Buffer, BlockSegment[] Segments, PieceTransaction[] Checks, long Bytes, PieceTransaction? Discarded);
}
