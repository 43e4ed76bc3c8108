using System.Net;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// What BEP 6 adds to a connection on which both sides set the fast extension bit, kept by the engine thread:
/// the requests we sent that the peer has not answered yet (BEP 6 answers every request with exactly one block
/// or one reject, so a reject for anything else breaks the protocol), the pieces the peer lets us fetch while it
/// chokes us, the pieces we let it fetch while we choke it, and whether its first message has come (have all and
/// have none are allowed only there). Every set is bounded: a peer cannot grow them without limit.
/// </summary>
internal sealed class FastExtensionState
{
    /// <summary>Unanswered requests we keep track of; past it we request nothing more until the peer answers.</summary>
    public const int MaxPendingRequests = 8192;

    /// <summary>Allowed-fast pieces we remember from a peer; further ones are ignored.</summary>
    public const int MaxAllowedByPeer = 64;

    private readonly HashSet<BlockRequest> _pending = [];
    private readonly List<int> _allowedByPeer = [];
    private readonly int[] _allowedToPeer = new int[AllowedFastSet.Size];
    private int _allowedToPeerCount;

    /// <summary>The peer's first message after the handshake (extended messages and keep-alives aside) has arrived.</summary>
    public bool FirstMessageSeen { get; set; }

    /// <summary>Requests sent and not answered by a block or a reject.</summary>
    public int PendingRequests => _pending.Count;

    /// <summary>Whether we may send one more request now.</summary>
    public bool CanRequest => _pending.Count < MaxPendingRequests;

    public void Requested(int index, int begin, int length) => _pending.Add(new BlockRequest(index, begin, length));

    /// <summary>A block or reject arrived for this address: true if we had asked for it (and now forget it).</summary>
    public bool Answered(int index, int begin, int length) => _pending.Remove(new BlockRequest(index, begin, length));

    /// <summary>The pieces the peer allowed us to fetch while it chokes us.</summary>
    public IReadOnlyList<int> AllowedByPeer => _allowedByPeer;

    public bool PeerAllows(int index) => _allowedByPeer.Contains(index);

    public void OnAllowedFast(int index)
    {
        if (_allowedByPeer.Count < MaxAllowedByPeer && !_allowedByPeer.Contains(index)) _allowedByPeer.Add(index);
    }

    /// <summary>The pieces we allow the peer to fetch while we choke it (our canonical set for its address).</summary>
    public ReadOnlySpan<int> AllowedToPeer => _allowedToPeer.AsSpan(0, _allowedToPeerCount);

    public bool WeAllow(int index) => AllowedToPeer.Contains(index);

    /// <summary>
    /// Computes our allowed-fast set for the peer's address. None for a torrent of no more than k pieces: there the
    /// set would be the whole torrent and choking would mean nothing.
    /// </summary>
    public void GrantAllowedFast(IPAddress address, Id160 infoHash, int pieceCount) =>
        _allowedToPeerCount = pieceCount > AllowedFastSet.Size ? AllowedFastSet.Compute(address, infoHash, pieceCount, AllowedFastSet.Size, _allowedToPeer) : 0;
}
