using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Ring;

/// <summary>
/// Ring maintenance as in Zave's corrected Chord: join, stabilize (reconcile the successor list
/// from the first live successor, adopt its predecessor only when it lies between and answers),
/// rectify, fix-fingers and check-predecessor. No pointer is adopted before it has answered.
/// </summary>
public sealed class Stabilizer(RingNode node, int fingersPerRound = 8)
{
    private const int MaxWalkBack = 32;

    /// <summary>The most rounds in a row that skip fix-fingers once the finger table has stopped changing.</summary>
    public const int MaxFingerRest = 15;

    private int _nextFinger;
    private bool _fingerChangedThisPass;
    private int _quietPasses;
    private int _restRounds;
    private Id160? _lastSuccessor;

    public RingNode Node => node;

    /// <summary>Joins the ring that <paramref name="known"/> belongs to.</summary>
    public async Task JoinAsync(NodeRef known, CancellationToken cancellationToken = default)
    {
        var found = await node.FindSuccessorViaAsync(known, node.Self.Id, cancellationToken).ConfigureAwait(false);
        var successor = found.Successor;
        if (successor.Id == node.Self.Id)
        {
            // Someone still remembers an earlier incarnation of us; take the node after it.
            successor = found.Following.FirstOrDefault(n => n.Id != node.Self.Id) ?? known;
        }
        // Check it is alive and take its successor list (Zave: adopt nothing unchecked).
        var state = await node.Transport.GetStateAsync(successor, cancellationToken).ConfigureAwait(false);
        node.SetSuccessors(successor, state.Successors);
        if (BeforeAnnounce is not null) await BeforeAnnounce(successor, cancellationToken).ConfigureAwait(false);
        await node.Transport.RectifyAsync(successor, node.Self, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs after a joining node found its successor and before the successor learns of it (storage takes over its keys here).</summary>
    public Func<NodeRef, CancellationToken, Task>? BeforeAnnounce { get; set; }

    /// <summary>
    /// One round: stabilize, check-predecessor and fix some fingers. Fingers only make lookups shorter (successor
    /// lists keep them correct), so once whole passes over the table change nothing, fix-fingers rests for 1, 3, 7,
    /// then <see cref="MaxFingerRest"/> rounds between passes; a new successor (members came or went nearby) or a
    /// finger that changed brings it back to every round. In a steady ring that is most of the ring's upkeep traffic.
    /// </summary>
    public async Task RunRoundAsync(CancellationToken cancellationToken = default)
    {
        await StabilizeAsync(cancellationToken).ConfigureAwait(false);
        await CheckPredecessorAsync(cancellationToken).ConfigureAwait(false);
        var successor = node.Successor.Id;
        if (_lastSuccessor != successor)
        {
            (_lastSuccessor, _quietPasses, _restRounds) = (successor, 0, 0);
        }
        if (_restRounds > 0)
        {
            _restRounds--;
            return;
        }
        await FixFingersAsync(fingersPerRound, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rounds in a row that fix-fingers rests now (0 while fingers are changing).</summary>
    public int FingerRest => _restRounds;

    public async Task StabilizeAsync(CancellationToken cancellationToken = default)
    {
        var (successor, state) = await FirstLiveSuccessorAsync(cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            await RejoinThroughAnyKnownAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // The successor's predecessor x: when x ∈ (self, successor) it is a closer successor,
        // adopted only after it answers. Walking back a few steps per round closes gaps quickly.
        for (var step = 0; step < MaxWalkBack; step++)
        {
            var x = state.Predecessor;
            if (x is null || x.Id == node.Self.Id || !Id160.InOpen(x.Id, node.Self.Id, successor.Id)) break;
            try
            {
                var closer = await node.Transport.GetStateAsync(x, cancellationToken).ConfigureAwait(false);
                (successor, state) = (x, closer);
            }
            catch (NodeUnreachableException)
            {
                break; // x is dead; the successor clears it by check-predecessor.
            }
        }

        // Reconcile the successor list: the successor followed by its own list.
        node.SetSuccessors(successor, state.Successors);

        if (successor.Id == node.Self.Id) return;
        try
        {
            await node.Transport.RectifyAsync(successor, node.Self, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeUnreachableException)
        {
            node.Forget(successor);
        }
    }

    private async Task<(NodeRef Successor, NodeState? State)> FirstLiveSuccessorAsync(CancellationToken cancellationToken)
    {
        foreach (var successor in node.Successors)
        {
            if (successor.Id == node.Self.Id) return (successor, node.GetState()); // alone
            try
            {
                return (successor, await node.Transport.GetStateAsync(successor, cancellationToken).ConfigureAwait(false));
            }
            catch (NodeUnreachableException)
            {
                node.Forget(successor); // dead successors are skipped
            }
        }
        return (node.Self, null); // every successor in the list is dead
    }

    /// <summary>
    /// Every successor in the list died at once. The closest member we still know that answers
    /// becomes the successor; stabilize then walks back through predecessors to the first live
    /// node after the gap.
    /// </summary>
    private async Task RejoinThroughAnyKnownAsync(CancellationToken cancellationToken)
    {
        var self = node.Self.Id;
        var gone = node.Successors;
        foreach (var member in node.KnownMembers().Where(m => gone.All(g => g.Id != m.Id)).OrderBy(m => m.Id - self))
        {
            try
            {
                var state = await node.Transport.GetStateAsync(member, cancellationToken).ConfigureAwait(false);
                node.SetSuccessors(member, state.Successors);
                await StabilizeAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NodeUnreachableException)
            {
                node.Forget(member);
            }
        }
        node.SetSuccessors(node.Self, []);
    }

    public async Task CheckPredecessorAsync(CancellationToken cancellationToken = default)
    {
        var predecessor = node.Predecessor;
        if (predecessor is null || predecessor.Id == node.Self.Id) return;
        try
        {
            await node.Transport.PingAsync(predecessor, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeUnreachableException)
        {
            node.ClearPredecessorIf(predecessor);
            node.Forget(predecessor);
        }
    }

    /// <summary>
    /// Refreshes fingers from where the last round stopped, with at most <paramref name="maxLookups"/>
    /// lookups: a finger whose start lies before the previous finger shares it, and one whose start
    /// lies before the successor is the successor, so most of the 160 entries cost nothing.
    /// </summary>
    public async Task FixFingersAsync(int maxLookups, CancellationToken cancellationToken = default)
    {
        var lookups = 0;
        for (var visited = 0; visited < Id160.Bits && lookups < maxLookups; visited++)
        {
            var i = _nextFinger;
            _nextFinger = (_nextFinger + 1) % Id160.Bits;
            if (_nextFinger == 0) EndPass();
            var start = node.FingerStart(i);
            var successor = node.Successor;
            if (Id160.InHalfOpen(start, node.Self.Id, successor.Id))
            {
                SetFinger(i, successor);
                continue;
            }
            var previous = i > 0 ? node.Finger(i - 1) : null;
            if (previous is not null && Id160.InHalfOpen(start, node.Self.Id, previous.Id) && i != 0 && visited > 0)
            {
                SetFinger(i, previous);
                continue;
            }
            lookups++;
            try
            {
                var found = await node.FindSuccessorAsync(start, cancellationToken).ConfigureAwait(false);
                SetFinger(i, found.Successor);
            }
            catch (LookupFailedException)
            {
                SetFinger(i, null);
            }
        }
    }

    private void SetFinger(int i, NodeRef? finger)
    {
        if (node.Finger(i)?.Id != (finger?.Id == node.Self.Id ? null : finger?.Id))
        {
            _fingerChangedThisPass = true;
            (_quietPasses, _restRounds) = (0, 0);
        }
        node.SetFinger(i, finger);
    }

    /// <summary>A whole pass over the table is done: rest longer after each one that changed nothing.</summary>
    private void EndPass()
    {
        _quietPasses = _fingerChangedThisPass ? 0 : _quietPasses + 1;
        _fingerChangedThisPass = false;
        _restRounds = Math.Min((1 << Math.Min(_quietPasses, 4)) - 1, MaxFingerRest);
    }

    /// <summary>Refreshes the whole finger table (used by the simulation to converge quickly).</summary>
    public Task FixAllFingersAsync(CancellationToken cancellationToken = default) =>
        FixFingersAsync(Id160.Bits, cancellationToken);
}
