namespace BitTorrent.Peer.Downloads;

/// <summary>
/// A picker policy stacked on another (rarest first): pieces someone is waiting to read come
/// first, in file order, and a download switched to sequential order fetches its first missing
/// piece next; with neither, the wrapped picker chooses. A reader (a range request on the file
/// while it downloads) registers the pieces it needs with <see cref="Want"/> and gets a task that
/// completes when the first of them is verified, so it can serve bytes as they arrive. Engine thread only.
/// </summary>
internal sealed class StreamingPriority(IPiecePicker inner) : IPiecePicker
{
    /// <summary>How far past a reader's next piece the picker looks (pieces), so one reader cannot hold the whole window.</summary>
    public const int Lookahead = 16;

    private readonly List<WaitingReader> _wants = [];
    private int _sequentialFrom;

    /// <summary>Fetch in file order (for playing a file while it downloads) instead of rarest first.</summary>
    public bool Sequential { get; set; }

    /// <summary>Readers waiting now.</summary>
    public int Waiting => _wants.Count;

    public bool TryPick<T>(PiecePlan plan, IReadOnlyList<T> attendants, out Piece? piece, out T? attendant) where T : class, IAttendant
    {
        _wants.RemoveAll(w => w.Ready.Task.IsCompleted); // readers that gave up
        foreach (var want in _wants)
        {
            var last = Math.Min(want.Last, want.First + Lookahead);
            for (var i = want.First; i <= last; i++)
                if (TryTake(plan.Pieces[i], attendants, out piece, out attendant)) return true;
        }
        if (Sequential)
        {
            var pieces = plan.Pieces;
            while (_sequentialFrom < pieces.Count && pieces[_sequentialFrom].Status == PieceStatus.Verified) _sequentialFrom++;
            // Sequential order keeps to the chosen files (a reader's range above is fetched whatever was chosen: it asked).
            for (var i = _sequentialFrom; i < pieces.Count; i++)
                if (plan.Wanted.Contains(i) && TryTake(pieces[i], attendants, out piece, out attendant)) return true;
        }
        return inner.TryPick(plan, attendants, out piece, out attendant);
    }

    private static bool TryTake<T>(Piece candidate, IReadOnlyList<T> attendants, out Piece? piece, out T? attendant) where T : class, IAttendant
    {
        piece = null;
        attendant = null;
        if (candidate.Status != PieceStatus.Missing) return false;
        attendant = RarestFirstPicker.ChooseAttendant(candidate, attendants);
        if (attendant is null) return false;
        piece = candidate;
        return true;
    }

    /// <summary>
    /// A reader needs pieces <paramref name="first"/> to <paramref name="last"/>, in order: they go to the front
    /// of the picker. The task gives, once piece <paramref name="first"/> is verified, how many pieces from it on
    /// are verified in a row (at least 1); it is cancelled with <paramref name="cancellationToken"/>.
    /// </summary>
    public Task<int> Want(PiecePlan plan, int first, int last, CancellationToken cancellationToken)
    {
        var ready = VerifiedRun(plan, first, last);
        if (ready > 0) return Task.FromResult(ready);
        var want = new WaitingReader(first, last);
        if (cancellationToken.CanBeCanceled)
            want.Registration = cancellationToken.Register(static w => ((WaitingReader)w!).Ready.TrySetCanceled(), want);
        _wants.Add(want);
        return want.Ready.Task;
    }

    /// <summary>A piece was verified: readers waiting for it get their run of verified pieces.</summary>
    public void OnVerified(PiecePlan plan, int index)
    {
        for (var i = _wants.Count - 1; i >= 0; i--)
        {
            var want = _wants[i];
            if (want.First != index && !want.Ready.Task.IsCompleted) continue;
            _wants.RemoveAt(i);
            want.Registration.Dispose();
            want.Ready.TrySetResult(VerifiedRun(plan, want.First, want.Last));
        }
    }

    /// <summary>The download was cancelled, removed or failed: no reader waits in vain.</summary>
    public void Abandon(string reason)
    {
        foreach (var want in _wants)
        {
            want.Registration.Dispose();
            want.Ready.TrySetException(new InvalidOperationException(reason));
        }
        _wants.Clear();
        _sequentialFrom = 0;
    }

    private static int VerifiedRun(PiecePlan plan, int first, int last)
    {
        var run = 0;
        while (first + run <= last && plan.Pieces[first + run].Status == PieceStatus.Verified) run++;
        return run;
    }

    private sealed class WaitingReader(int first, int last)
    {
        public int First { get; } = first;
        public int Last { get; } = last;
        public TaskCompletionSource<int> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenRegistration Registration { get; set; }
    }
}
