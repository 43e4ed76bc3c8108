using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Ring;

/// <summary>
/// One member of the Chord ring: its predecessor, successor list and finger table, the RPC
/// handlers other members call, and iterative lookups. Maintenance (join, stabilize, rectify,
/// fix-fingers, check-predecessor) lives in <see cref="Stabilizer"/>. State is guarded by one lock
/// that is never held across a remote call.
/// </summary>
public sealed class RingNode
{
    /// <summary>An upper bound on the nodes one lookup may visit; a lookup that needs more has met a broken ring.</summary>
    private const int MaxLookupSteps = 2 * Id160.Bits;
    private const int MaxLookupFailures = 16;

    private readonly Lock _gate = new();
    private readonly FingerTable _fingers;
    private NodeRef? _predecessor;
    private NodeRef[] _successors;
    private volatile bool _settled;
    private long _predecessorChangedAt = Environment.TickCount64;

    public RingNode(NodeRef self, IRingTransport transport, int successorListLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(successorListLength, 1);
        Self = self;
        Transport = transport;
        SuccessorListLength = successorListLength;
        _fingers = new FingerTable(self.Id);
        _successors = [self];
    }

    public NodeRef Self { get; }
    public IRingTransport Transport { get; }
    public int SuccessorListLength { get; }
    public HopStatistics Hops { get; } = new();

    /// <summary>Raised (outside the lock) when the predecessor changes: storage re-evaluates what it owns.</summary>
    public event Action<NodeRef?>? PredecessorChanged;

    /// <summary>
    /// How long ago the predecessor last changed, or the node started: the arc (predecessor, self] it owns is
    /// only as certain as the ring around it has settled.
    /// </summary>
    public TimeSpan SincePredecessorChanged => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _predecessorChangedAt));

    public NodeRef Successor { get { lock (_gate) return _successors[0]; } }
    public NodeRef? Predecessor { get { lock (_gate) return _predecessor; } }
    public IReadOnlyList<NodeRef> Successors { get { lock (_gate) return _successors; } }
    public bool IsAlone { get { lock (_gate) return _successors[0].Id == Self.Id && _predecessor is null; } }

    /// <summary>
    /// True once this node has founded a ring or joined one. A settled node that is alone is a ring of one,
    /// which newcomers join; only nodes still starting together elect a founder among themselves.
    /// </summary>
    public bool Settled => _settled;

    public void MarkSettled() => _settled = true;

    /// <summary>True when this node is the primary of an id: id ∈ (predecessor, self].</summary>
    public bool Owns(Id160 id)
    {
        lock (_gate) return _predecessor is null || Id160.InHalfOpen(id, _predecessor.Id, Self.Id);
    }

    public IReadOnlyList<NodeRef> Fingers()
    {
        lock (_gate) return _fingers.Distinct().ToArray();
    }

    // ---- RPC handlers -------------------------------------------------------------------------

    public NodeState GetState()
    {
        lock (_gate) return new NodeState(Self, _predecessor, _successors, Settled);
    }

    /// <summary>
    /// One step of find_successor: the answer when id falls between this node and a member of its
    /// successor list, otherwise the closest preceding node it knows. Excluded nodes (found dead by
    /// the asker) are skipped.
    /// </summary>
    public LookupStep FindSuccessorStep(Id160 id, IReadOnlyCollection<Id160>? exclude = null)
    {
        lock (_gate)
        {
            // Only the first live successor answers: deeper entries of the list may still miss a
            // node that just joined, so they serve as next hops, never as answers.
            for (var i = 0; i < _successors.Length; i++)
            {
                var successor = _successors[i];
                if (exclude is not null && exclude.Contains(successor.Id)) continue;
                if (Id160.InHalfOpen(id, Self.Id, successor.Id))
                    return LookupStep.Answer(successor, _successors[(i + 1)..]);
                break;
            }
            var next = ClosestPrecedingNode(id, exclude);
            if (next.Id == Self.Id)
            {
                // Nothing we know precedes id: our first live successor is the best answer we have.
                var live = _successors.FirstOrDefault(s => exclude is null || !exclude.Contains(s.Id)) ?? Self;
                return LookupStep.Answer(live, _successors.Where(s => s.Id != live.Id).ToArray());
            }
            return LookupStep.Next(next);
        }
    }

    /// <summary>The closest node we know in (self, id), from fingers and the successor list.</summary>
    private NodeRef ClosestPrecedingNode(Id160 id, IReadOnlyCollection<Id160>? exclude)
    {
        var best = Self;
        var bestDistance = Id160.Zero;
        for (var i = Id160.Bits - 1; i >= 0; i--) Consider(_fingers[i]);
        foreach (var successor in _successors) Consider(successor);
        return best;

        void Consider(NodeRef? candidate)
        {
            if (candidate is null || candidate.Id == Self.Id) return;
            if (!Id160.InOpen(candidate.Id, Self.Id, id)) return;
            if (exclude is not null && exclude.Contains(candidate.Id)) return;
            var distance = candidate.Id - Self.Id;
            if (distance > bestDistance) (best, bestDistance) = (candidate, distance);
        }
    }

    /// <summary>
    /// Zave's rectify (the corrected notify): adopt the candidate as predecessor when we have none
    /// or it lies between the current one and us. A dead predecessor is cleared by check-predecessor.
    /// </summary>
    public void Rectify(NodeRef candidate)
    {
        if (candidate.Id == Self.Id) return;
        bool changed;
        lock (_gate)
        {
            changed = _predecessor is null || Id160.InOpen(candidate.Id, _predecessor.Id, Self.Id);
            if (changed) _predecessor = candidate;
        }
        if (changed) Interlocked.Exchange(ref _predecessorChangedAt, Environment.TickCount64);
        if (changed) PredecessorChanged?.Invoke(candidate);
    }

    // ---- lookups ------------------------------------------------------------------------------

    /// <summary>Iterative find_successor starting here; hops count the remote nodes asked.</summary>
    public Task<LookupResult> FindSuccessorAsync(Id160 id, CancellationToken cancellationToken = default) =>
        LookupAsync(id, start: null, cancellationToken);

    /// <summary>Iterative find_successor starting at another node (how a joining node finds its place).</summary>
    public Task<LookupResult> FindSuccessorViaAsync(NodeRef start, Id160 id, CancellationToken cancellationToken = default) =>
        LookupAsync(id, start, cancellationToken);

    private async Task<LookupResult> LookupAsync(Id160 id, NodeRef? start, CancellationToken cancellationToken)
    {
        HashSet<Id160>? dead = null;
        var hops = 0;
        var failures = 0;
        var step = start is null ? FindSuccessorStep(id) : LookupStep.Next(start);
        for (var steps = 0; !step.Done; steps++)
        {
            if (steps > MaxLookupSteps) throw new LookupFailedException(id, "the lookup did not converge");
            var next = step.Node;
            if (next.Id == Self.Id)
            {
                step = FindSuccessorStep(id, dead);
                continue;
            }
            try
            {
                hops++;
                step = await Transport.FindSuccessorStepAsync(next, id, dead ?? [], cancellationToken).ConfigureAwait(false);
            }
            catch (NodeUnreachableException)
            {
                if (++failures > MaxLookupFailures) throw new LookupFailedException(id, "too many members did not answer");
                (dead ??= []).Add(next.Id);
                Forget(next);
                // Start again from what we know, now without the dead node.
                step = FindSuccessorStep(id, dead);
            }
        }
        Hops.Record(hops);
        var following = step.Following ?? [];
        return new LookupResult(step.Node, following, hops);
    }

    // ---- state changes used by the stabilizer -------------------------------------------------

    /// <summary>Removes a node that failed to answer from fingers and the successor list.</summary>
    public void Forget(NodeRef node)
    {
        if (node.Id == Self.Id) return;
        lock (_gate)
        {
            _fingers.Forget(node.Id);
            // The last successor stays until stabilize finds a replacement: a node that believed
            // itself alone would adopt its predecessor as successor.
            if (_successors.Length > 1 && _successors.Any(s => s.Id == node.Id))
                _successors = _successors.Where(s => s.Id != node.Id).ToArray();
        }
    }

    internal void SetSuccessors(NodeRef successor, IEnumerable<NodeRef> following)
    {
        var list = new List<NodeRef>(SuccessorListLength) { successor };
        foreach (var node in following)
        {
            if (list.Count >= SuccessorListLength) break;
            if (node.Id == Self.Id || list.Any(n => n.Id == node.Id)) continue;
            list.Add(node);
        }
        lock (_gate)
        {
            _successors = [.. list];
            _fingers[0] = successor.Id == Self.Id ? null : successor;
        }
    }

    internal void ClearPredecessorIf(NodeRef expected)
    {
        bool changed;
        lock (_gate)
        {
            changed = _predecessor?.Id == expected.Id;
            if (changed) _predecessor = null;
        }
        if (changed) Interlocked.Exchange(ref _predecessorChangedAt, Environment.TickCount64);
        if (changed) PredecessorChanged?.Invoke(null);
    }

    internal Id160 FingerStart(int i) => _fingers.Start(i);

    internal NodeRef? Finger(int i)
    {
        lock (_gate) return _fingers[i];
    }

    internal void SetFinger(int i, NodeRef? node)
    {
        lock (_gate) _fingers[i] = node?.Id == Self.Id ? null : node;
    }

    /// <summary>Every other member this node knows of: fallbacks when all successors are gone.</summary>
    internal IReadOnlyList<NodeRef> KnownMembers()
    {
        lock (_gate)
        {
            var known = _successors.Concat(_fingers.Distinct());
            if (_predecessor is not null) known = known.Append(_predecessor);
            return known.Where(n => n.Id != Self.Id).DistinctBy(n => n.Id).ToArray();
        }
    }
}
