using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// The disk side of downloads: blocks staged by the engine thread (which has fed them, while they
/// are hot in its cache, to their piece's SHA-1) point into a connection's receive buffer; the
/// writer writes file-contiguous blocks with one gathered positional write and then checks the
/// pieces those blocks completed (<see cref="PieceVerifier.Verify"/>). By default that happens on
/// the engine thread, before the buffer moves on; with a thread of its own, the buffer is handed
/// over whole (no copy) and returned to the pool afterwards. Results go back to the engine thread
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
    private readonly Action<Exception> _fault;
    private readonly long _maxBytesInFlight;
    private readonly Thread? _thread;
    private long _bytesInFlight;
    private volatile bool _engineWaiting;

    // Jobs are reused (no garbage per read): the one being staged belongs to the engine thread;
    // done ones wait in _free (guarded by _jobs) to be staged again.
    private readonly Stack<Job> _free = new();
    private Job _staging = new();

    // Used on the writer thread only.
    private readonly List<ReadOnlyMemory<byte>> _run = [];
    private readonly byte[] _scratch = new byte[PieceGeometry.BlockSize];

    /// <param name="post">Runs an action on the engine thread (its command queue).</param>
    /// <param name="wakeEngine">Wakes the engine's select loop (when it stopped reading and the backlog has drained).</param>
    /// <param name="maxBytesInFlight">Received bytes handed over and not yet written before the engine stops reading.</param>
    /// <param name="fault">Told of a bug met on this thread (the job's pieces fail; the thread goes on).</param>
    /// <param name="ownThread">False: blocks are written and pieces checked on the engine thread, from the receive buffer, before it moves on.</param>
    public BlockWriter(Action<Action> post, Action wakeEngine, long maxBytesInFlight, Action<Exception>? fault = null, bool ownThread = true)
    {
        _post = post;
        _fault = fault ?? (_ => { });
        _wakeEngine = wakeEngine;
        _maxBytesInFlight = maxBytesInFlight;
        if (!ownThread) return;
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

    public bool HasStaged => _staging.Segments.Count > 0;

    /// <summary>A block accepted for a transaction: <paramref name="length"/> bytes at <paramref name="offset"/> in the buffer being parsed.</summary>
    public void Stage(PieceTransaction transaction, int block, int offset, int length) =>
        _staging.Segments.Add(new BlockSegment(transaction, block, offset, length));

    /// <summary>The transaction's last block was staged: check the piece once the staged blocks are written.</summary>
    public void StageCheck(PieceTransaction transaction) => _staging.Checks.Add(transaction);

    /// <summary>
    /// After a connection's data was parsed: the blocks staged from its receive buffer go to the
    /// writer's thread with the whole buffer (the connection goes on in a fresh one), or, without a
    /// thread of its own, are written and checked here before the buffer drops its first
    /// <paramref name="consumed"/> bytes.
    /// </summary>
    public void Submit(PeerConnection c, int consumed)
    {
        if (_thread is not null)
        {
            Submit(c.DetachReceiveBuffer(consumed));
            return;
        }
        var job = _staging;
        job.Buffer = c.ReceiveBuffer;
        job.Borrowed = true;
        RunJob(job);
        if (c.Phase != ConnectionPhase.Closed) c.Consume(consumed);
    }

    /// <summary>Hands over the buffer the staged blocks point into (this thread returns it to <see cref="ReceiveBuffers"/>), with the staged checks.</summary>
    public void Submit(byte[] buffer)
    {
        var job = _staging;
        job.Buffer = buffer;
        job.Bytes = buffer.Length; // the memory held until the writer is done with it
        Interlocked.Add(ref _bytesInFlight, job.Bytes);
        _staging = Enqueue(job) ?? new Job();
    }

    /// <summary>Queues the job for the writer and returns a free one to stage into (null if none is free); a stopped writer finishes it at once.</summary>
    private Job? Enqueue(Job job)
    {
        lock (_jobs)
        {
            if (!_stopped)
            {
                _jobs.Enqueue(job);
                if (_writerWaiting) Monitor.Pulse(_jobs);
                return _free.TryPop(out var free) ? free : null;
            }
        }
        Finish(job); // stopped: nothing is written
        return null;
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
            foreach (var job in _taken) RunJob(job);
            _taken.Clear();
        }
    }

    private void RunJob(Job job)
    {
        try
        {
            Process(job);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug must not stop the writer: the job's pieces fail (and are fetched again).
            _fault(e);
            foreach (var transaction in job.Checks) Post(transaction, null, $"internal error: {e.GetType().Name}");
            Finish(job);
        }
        Recycle(job);
    }

    private void Process(Job job)
    {
        var segments = job.Segments;
        for (var i = 0; i < segments.Count;)
        {
            // A run: blocks of one torrent, each starting where the previous ended (split at file ends by the content).
            var first = segments[i];
            var fileOffset = first.FileOffset;
            var end = fileOffset;
            var n = i;
            _run.Clear();
            while (n < segments.Count && ReferenceEquals(segments[n].Transaction.Content, first.Transaction.Content) && segments[n].FileOffset == end)
            {
                var segment = segments[n];
                _run.Add(job.Buffer!.AsMemory(segment.Offset, segment.Length));
                end += segment.Length;
                n++;
            }
            try
            {
                first.Transaction.Content.Write(_run, fileOffset);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                for (var k = i; k < n; k++)
                {
                    var transaction = segments[k].Transaction;
                    if (!transaction.Verifier.WriteFailed) Post(transaction, null, DiskSpace.Describe(e));
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
            var valid = verifier.Verify(transaction.Torrent.GetPieceHash(transaction.Piece.Index), transaction.Content, _scratch);
            Post(transaction, valid, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            verifier.Release();
            Post(transaction, null, DiskSpace.Describe(e));
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
        if (job.Finished) return;
        job.Finished = true;
        if (job.Buffer is { } buffer && !job.Borrowed) ReceiveBuffers.Pool.Return(buffer);
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
        if (_thread is not null && Thread.CurrentThread != _thread) _thread.Join();
    }

    private readonly record struct BlockSegment(PieceTransaction Transaction, int Block, int Offset, int Length)
    {
        public long FileOffset => Transaction.Piece.Offset + (long)Block * PieceGeometry.BlockSize;
    }

    /// <summary>A finished job, emptied, waits to be staged into again.</summary>
    private void Recycle(Job job)
    {
        job.Buffer = null;
        job.Segments.Clear();
        job.Checks.Clear();
        job.Bytes = 0;
        job.Finished = false;
        if (job.Borrowed)
        {
            job.Borrowed = false;
            _staging = job; // written on the engine thread: it stages into the same job again
            return;
        }
        lock (_jobs) _free.Push(job);
    }

    /// <summary>One buffer handed over with the blocks staged in it and the pieces to check after them.</summary>
    private sealed class Job
    {
        public byte[]? Buffer { get; set; }
        public List<BlockSegment> Segments { get; } = [];
        public List<PieceTransaction> Checks { get; } = [];
        public long Bytes { get; set; }
        public bool Finished { get; set; }

        /// <summary>The buffer is a connection's, written from in place (no thread of its own): not returned to the pool.</summary>
        public bool Borrowed { get; set; }
    }
}
