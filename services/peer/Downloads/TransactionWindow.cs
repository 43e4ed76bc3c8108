using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// The window of one download: at most k piece transactions run at once (k = <see
/// cref="TransferEngineOptions.Window"/>, capped by <see cref="TransferEngineOptions.MaxWindowBytes"/>),
/// counting those being verified. It starts transactions with the picker, keeps
/// <see cref="TransferEngineOptions.MaxRequestsPerPeer"/> block requests in flight per attendant
/// (pipelining), takes the blocks that arrive (staged for the <see cref="BlockWriter"/>), and gives
/// pieces back when their attendant goes away, chokes us or stalls past the piece timeout.
/// Download limits act here: a block is requested only while the engine's download limiter and
/// the download's own (<paramref name="limiter"/>) have tokens for it, so blocks arrive at the
/// limited rate and no socket is left unread; while a limiter is empty the window is
/// <see cref="Throttled"/>, starts no new transaction, and tops up its requests at the next round.
/// </summary>
internal sealed class TransactionWindow(DownloadContext context, RateLimiter limiter)
{
    private readonly List<PieceTransaction> _running = [];

    /// <summary>Running transactions, including those being verified.</summary>
    public int Count => _running.Count;

    /// <summary>A request waited for a limiter's tokens: ask again at the next round of the engine loop.</summary>
    public bool Throttled { get; private set; }

    /// <summary>Starts transactions until the window is full or no attendant can take one.</summary>
    public void Fill(IPieceListener owner, int generation, PiecePlan plan, IPiecePicker picker, IReadOnlyList<Attendant> attendants,
        Transfer.Swarm swarm, ContentFiles content, long now)
    {
        var options = context.Options;
        if (Throttled)
        {
            Throttled = false;
            foreach (var a in attendants)
            {
                if (a.Transactions.Count > 0) RequestBlocks(a, now);
                if (Throttled) return;
            }
        }
        var window = Math.Clamp(options.MaxWindowBytes / swarm.Torrent.PieceLength, 1, options.Window);
        while (!Throttled && _running.Count < window && picker.TryPick(plan, attendants, out var piece, out var attendant))
        {
            piece!.Status = PieceStatus.InFlight;
            piece.Attendant = attendant;
            var transaction = new PieceTransaction(owner, generation, swarm.Torrent, piece, attendant!, content, now);
            _running.Add(transaction);
            attendant!.Transactions.Add(transaction);
            RequestBlocks(attendant, now);
        }
    }

    /// <summary>
    /// Keeps up to MaxRequestsPerPeer block requests (or the attendant's lower <see cref="Attendant.RequestLimit"/>) in
    /// flight to an attendant, as far as the limiters allow; while it chokes us, only for pieces it allowed fast.
    /// </summary>
    public void RequestBlocks(Attendant a, long now)
    {
        var max = Math.Min(context.Options.MaxRequestsPerPeer, a.RequestLimit);
        var shared = context.DownloadLimiter;
        shared.Refill(now);
        limiter.Refill(now);
        foreach (var transaction in a.Transactions)
        {
            if (!a.MayRequest(transaction.Piece.Index)) continue;
            while (!transaction.AllRequested && a.OutstandingRequests < max)
            {
                var (begin, length) = transaction.PeekNextBlock();
                if (!shared.CanSend(length) || !limiter.CanSend(length))
                {
                    Throttled = true;
                    return;
                }
                if (!a.Connection.TrySendRequest(transaction.Piece.Index, begin, length)) return;
                shared.Take(length);
                limiter.Take(length);
                transaction.TakeNextBlock();
                a.OutstandingRequests++;
                transaction.LastActivity = now;
            }
            if (a.OutstandingRequests >= max) return;
        }
    }

    /// <summary>
    /// A block of a piece message at <paramref name="payloadStart"/> in the attendant's receive
    /// buffer: staged for the writer if we asked for it (late blocks of abandoned transactions
    /// and blocks never asked for are dropped). Returns the bytes taken (0 if dropped);
    /// <paramref name="pieceDone"/> when it was the piece's last block.
    /// </summary>
    public int OnBlock(Attendant a, PeerMessage message, int payloadStart, long now, out bool pieceDone)
    {
        pieceDone = false;
        PieceTransaction? transaction = null;
        foreach (var candidate in a.Transactions)
        {
            if (candidate.Piece.Index == message.Index)
            {
                transaction = candidate;
                break;
            }
        }
        var block = transaction?.TryAccept(message.Begin, message.Length) ?? -1;
        if (block < 0) return 0;

        transaction!.Verifier.Append(block, message.Payload); // hashed here, while it is hot in this core's cache
        context.Writer.Stage(transaction, block, payloadStart, message.Length);
        a.OutstandingRequests = Math.Max(0, a.OutstandingRequests - 1);
        a.LastBlockAt = now;
        a.IsSnubbed = false;
        if (a.RequestLimit < context.Options.MaxRequestsPerPeer && ++a.BlocksAtLimit >= a.RequestLimit)
            (a.RequestLimit, a.BlocksAtLimit) = (a.RequestLimit + 1, 0);
        transaction!.LastActivity = now;
        if (transaction.IsComplete)
        {
            a.Transactions.Remove(transaction);
            transaction.Piece.Status = PieceStatus.Verifying;
            context.Writer.StageCheck(transaction); // checked once its blocks are written
            pieceDone = true;
        }
        RequestBlocks(a, now);
        return message.Length;
    }

    /// <summary>
    /// BEP 6: the attendant will not serve a block we requested. The block is requested again at once: if the
    /// attendant chokes us (and did not allow the piece fast), the transaction is given back to the picker as soon as
    /// nothing of it is outstanding there, so another attendant takes the piece; if it does not choke us, its queue is
    /// shorter than our pipeline, so it gets fewer requests at once, and a piece it refuses with nothing else
    /// outstanding goes back to the picker. True if a piece was given back. A reject of a transaction already given up
    /// (the answer to our cancel) changes nothing.
    /// </summary>
    public bool OnReject(Attendant a, int index, int begin, int length, long now)
    {
        PieceTransaction? transaction = null;
        foreach (var candidate in a.Transactions)
            if (candidate.Piece.Index == index) transaction = candidate;
        if (transaction is null || !transaction.Unrequest(begin, length)) return false;
        a.OutstandingRequests = Math.Max(0, a.OutstandingRequests - 1);
        if (!a.MayRequest(index) || a.OutstandingRequests == 0)
        {
            if (transaction.Outstanding > 0) return false;
            Give(a, transaction, sendCancel: false);
            if (a.Transactions.Count > 0) RequestBlocks(a, now);
            return true;
        }
        (a.RequestLimit, a.BlocksAtLimit) = (Math.Max(1, a.OutstandingRequests), 0);
        return false;
    }

    /// <summary>
    /// BEP 6: a fast attendant choked us without dropping our requests; it rejects those it will not serve. Its
    /// transactions of pieces it did not allow fast and with nothing outstanding go back to the picker now (no reject
    /// will come for them). True if a piece was given back.
    /// </summary>
    public bool OnFastChoke(Attendant a)
    {
        var released = false;
        foreach (var transaction in a.Transactions.ToArray())
        {
            if (a.MayRequest(transaction.Piece.Index) || transaction.Outstanding > 0) continue;
            Give(a, transaction, sendCancel: false);
            released = true;
        }
        return released;
    }

    /// <summary>A checked (or failed) transaction leaves the window.</summary>
    public bool Remove(PieceTransaction transaction) => _running.Remove(transaction);

    /// <summary>Gives the attendant's unfinished pieces back to the plan (they go to other attendants first).</summary>
    public void Abandon(Attendant a, bool sendCancel)
    {
        if (a.Transactions.Count == 0) return;
        var abandoned = a.Transactions.ToArray();
        a.Transactions.Clear();
        a.OutstandingRequests = 0;
        foreach (var transaction in abandoned) Release(a, transaction, sendCancel);
    }

    /// <summary>Gives one of the attendant's unfinished pieces back to the plan.</summary>
    private void Give(Attendant a, PieceTransaction transaction, bool sendCancel)
    {
        a.Transactions.Remove(transaction);
        a.OutstandingRequests = Math.Max(0, a.OutstandingRequests - transaction.Outstanding);
        Release(a, transaction, sendCancel);
    }

    private void Release(Attendant a, PieceTransaction transaction, bool sendCancel)
    {
        if (sendCancel && a.Connection.IsOpen)
            foreach (var (begin, length) in transaction.OutstandingBlocks()) a.Connection.SendCancel(transaction.Piece.Index, begin, length);
        transaction.Abandon();
        PiecePlan.Release(transaction.Piece, a);
        _running.Remove(transaction);
        transaction.Verifier.Release();
    }

    /// <summary>
    /// Per-piece timeout on monotonic time: a piece with requests out whose attendant has delivered
    /// nothing for PieceTimeout is given back, with every other piece of that attendant, which is snubbed.
    /// True if any piece was given back.
    /// </summary>
    public bool TimeOutStalled(long now)
    {
        var released = false;
        var timeout = (long)context.Options.PieceTimeout.TotalMilliseconds;
        foreach (var transaction in _running.ToArray())
        {
            if (transaction.Piece.Status != PieceStatus.InFlight || transaction.Outstanding == 0 || transaction.IsAbandoned) continue;
            var attendant = transaction.Attendant;
            if (now - Math.Max(transaction.LastActivity, attendant.LastBlockAt) <= timeout) continue;
            DownloadLog.PieceTimedOut(context.Logger, transaction.Piece.Index, attendant.Describe());
            attendant.IsSnubbed = true;
            Abandon(attendant, sendCancel: true);
            released = true;
        }
        return released;
    }

    /// <summary>Forgets every transaction (the plan is thrown away); results still on their way are ignored by generation.</summary>
    public void Clear()
    {
        foreach (var transaction in _running)
        {
            transaction.Abandon();
            if (transaction.Piece.Status == PieceStatus.InFlight) transaction.Verifier.Release(); // a verifying one is the writer's until checked
        }
        _running.Clear();
    }
}
