using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.SimulationTests;

/// <summary>
/// The ring code over an in-memory transport: calls go straight to the target node's handlers,
/// and a node that has been failed answers nothing, like a killed process.
/// </summary>
public sealed class SimulatedNetwork : IRingTransport
{
    private readonly Dictionary<Id160, Stabilizer> _nodes = [];
    private readonly HashSet<Id160> _dead = [];
    private readonly Random _random;

    public SimulatedNetwork(int seed, int successorListLength = 4)
    {
        _random = new Random(seed);
        SuccessorListLength = successorListLength;
    }

    public int SuccessorListLength { get; }
    public long Messages { get; private set; }

    private readonly SortedSet<Id160> _liveIds = [];
    private List<Stabilizer>? _live;

    public IReadOnlyList<Stabilizer> Live => _live ??= _nodes.Values.Where(s => !_dead.Contains(s.Node.Self.Id)).ToList();

    public Stabilizer AddNode(string url)
    {
        var node = new RingNode(NodeRef.ForUrl(url), this, SuccessorListLength);
        var stabilizer = new Stabilizer(node);
        _nodes.Add(node.Self.Id, stabilizer);
        _liveIds.Add(node.Self.Id);
        _live = null;
        return stabilizer;
    }

    /// <summary>Builds a ring of n nodes by joins, then stabilizes until every pointer is right.</summary>
    public async Task<IReadOnlyList<Stabilizer>> BuildRingAsync(int n)
    {
        var first = AddNode("http://sim-0:1");
        for (var i = 1; i < n; i++)
        {
            var joining = AddNode($"http://sim-{i}:1");
            var live = Live;
            var via = live[_random.Next(live.Count)].Node.Self;
            if (via.Id == joining.Node.Self.Id) via = first.Node.Self;
            await joining.JoinAsync(via);
            // Let the neighbourhood notice the newcomer, as periodic stabilize would: the node
            // just before it learns of it from its successor's predecessor.
            await joining.StabilizeAsync();
            var before = LivePredecessorOf(joining.Node.Self.Id);
            if (before is not null) await _nodes[before.Value].StabilizeAsync();
            if (i % 256 == 0) await RoundAsync(fixAllFingers: true);
        }
        for (var round = 0; round < 3; round++) await RoundAsync(fixAllFingers: true);
        return Live;
    }

    /// <summary>One maintenance round on every live node, in random order.</summary>
    public async Task RoundAsync(bool fixAllFingers)
    {
        var nodes = Live.OrderBy(_ => _random.Next()).ToList();
        foreach (var s in nodes) await s.StabilizeAsync();
        foreach (var s in nodes) await s.CheckPredecessorAsync();
        foreach (var s in nodes)
        {
            if (fixAllFingers) await s.FixAllFingersAsync();
            else await s.FixFingersAsync(8);
        }
    }

    private Id160? LivePredecessorOf(Id160 id)
    {
        if (_liveIds.Count < 2) return null;
        if (id == Id160.Zero) return _liveIds.Max;
        var before = _liveIds.GetViewBetween(Id160.Zero, id - Id160.PowerOfTwo(0));
        return before.Count > 0 ? before.Max : _liveIds.Max;
    }

    public void Fail(Id160 node)
    {
        _dead.Add(node);
        _liveIds.Remove(node);
        _live = null;
    }

    /// <summary>The true successor of an id among live nodes.</summary>
    public Id160 TrueSuccessor(Id160 id)
    {
        var after = _liveIds.GetViewBetween(id, Id160.Max);
        return after.Count > 0 ? after.Min : _liveIds.Min;
    }

    public Id160 RandomId()
    {
        Span<byte> bytes = stackalloc byte[Id160.ByteLength];
        _random.NextBytes(bytes);
        return new Id160(bytes);
    }

    public Random Random => _random;

    private RingNode Reach(NodeRef target)
    {
        Messages++;
        if (_dead.Contains(target.Id) || !_nodes.TryGetValue(target.Id, out var s))
            throw new NodeUnreachableException(target, "simulated failure");
        return s.Node;
    }

    public Task<NodeState> GetStateAsync(NodeRef target, CancellationToken cancellationToken) =>
        Task.FromResult(Reach(target).GetState());

    public Task<LookupStep> FindSuccessorStepAsync(NodeRef target, Id160 id, IReadOnlyCollection<Id160> exclude, CancellationToken cancellationToken) =>
        Task.FromResult(Reach(target).FindSuccessorStep(id, exclude));

    public Task RectifyAsync(NodeRef target, NodeRef candidate, CancellationToken cancellationToken)
    {
        Reach(target).Rectify(candidate);
        return Task.CompletedTask;
    }

    public Task PingAsync(NodeRef target, CancellationToken cancellationToken)
    {
        Reach(target);
        return Task.CompletedTask;
    }
}
