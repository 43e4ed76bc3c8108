using System.Net;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Downloads;

/// <summary>
/// Who a download can fetch from: the endpoints it was given (dialled, and dialled again after a
/// growing delay when a connection fails), the attendants (its open connections), what they
/// tell us (pieces they have, choking), our interest in them, and the peers banned for corrupt data.
/// </summary>
internal sealed class DownloadPeers(DownloadContext context, DownloadController download)
{
    private const double MaxRedialDelayMs = 30_000;
    private readonly List<KnownPeer> _known = [];
    private readonly List<Attendant> _attendants = [];
    private readonly Dictionary<PeerConnection, Attendant> _byConnection = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _bannedPeerIds = [];

    public IReadOnlyList<Attendant> Attendants => _attendants;

    public Attendant? Find(PeerConnection c) => _byConnection.GetValueOrDefault(c);

    public bool IsBanned(string peerId) => _bannedPeerIds.Contains(peerId);

    /// <summary>Adds endpoints not known yet (never our own listener).</summary>
    public void Add(IEnumerable<IPEndPoint> endPoints)
    {
        foreach (var endPoint in endPoints)
        {
            if (endPoint.Equals(context.LocalEndPoint) || _known.Exists(p => p.EndPoint.Equals(endPoint))) continue;
            _known.Add(new KnownPeer(endPoint));
        }
    }

    /// <summary>Dials every known peer with no connection whose retry time has come.</summary>
    public void DialDue(long now)
    {
        foreach (var peer in _known)
        {
            if (peer.Connection is not null || peer.Banned || now < peer.RetryAt || context.Connections.Limits.IsBanned(peer.EndPoint.Address, now)) continue;
            if (context.Connections.Dial(download.Swarm, peer.EndPoint, now) is not { } c) return; // the table is full
            peer.Connection = c;
        }
    }

    /// <summary>A retry starts afresh: every known peer may be dialled at once.</summary>
    public void ForgetFailures()
    {
        foreach (var peer in _known)
        {
            peer.Failures = 0;
            peer.RetryAt = 0;
        }
    }

    /// <summary>A connection for this torrent finished its handshake: it becomes an attendant.</summary>
    public void OnOpened(PeerConnection c)
    {
        var known = _known.Find(p => ReferenceEquals(p.Connection, c));
        if (known is not null) known.Failures = 0;
        var attendant = new Attendant(c, known);
        _attendants.Add(attendant);
        _byConnection.Add(c, attendant);
        download.NeedsSchedule = true;
    }

    /// <summary>
    /// A connection is gone: its pieces go back to the plan, its availability is forgotten, and
    /// its known endpoint waits before it is dialled again (longer after each failure in a row).
    /// </summary>
    public void OnClosed(PeerConnection c, long now)
    {
        _byConnection.Remove(c, out var attendant);
        if (attendant is not null)
        {
            _attendants.Remove(attendant);
            if (c.RemotePieces is { } pieces) download.Plan.RemoveAvailability(pieces);
            download.Window.Abandon(attendant, sendCancel: false);
            download.NeedsSchedule = true;
        }
        var known = attendant?.KnownPeer ?? _known.Find(p => ReferenceEquals(p.Connection, c));
        if (known is not null && ReferenceEquals(known.Connection, c))
        {
            known.Connection = null;
            known.Failures = attendant is not null ? 1 : known.Failures + 1;
            var delay = context.Options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(known.Failures - 1, 5));
            known.RetryAt = now + (long)Math.Min(delay, MaxRedialDelayMs);
        }
    }

    /// <summary>
    /// BEP 3: a peer that chokes us drops our pending requests; those pieces are fetched elsewhere. With the fast
    /// extension it keeps them: it serves those of pieces it allowed fast and rejects the others, each rejected block
    /// going back at once (<see cref="OnReject"/>).
    /// </summary>
    public void OnChoke(PeerConnection c)
    {
        if (Find(c) is { } attendant)
        {
            if (c.Fast is null) download.Window.Abandon(attendant, sendCancel: false);
            else download.Window.OnFastChoke(attendant);
        }
        download.NeedsSchedule = true;
    }

    /// <summary>Unchoked: transactions kept through a fast choke go on at once; new ones come with the next schedule.</summary>
    public void OnUnchoke(PeerConnection c, long now)
    {
        if (Find(c) is { Transactions.Count: > 0 } attendant) download.Window.RequestBlocks(attendant, now);
        download.NeedsSchedule = true;
    }

    /// <summary>BEP 6: the peer rejected a block we requested from it (the protocol checked we did).</summary>
    public void OnReject(PeerConnection c, PeerMessage message, long now)
    {
        if (Find(c) is { } attendant && download.Window.OnReject(attendant, message.Index, message.Begin, message.Length, now)) download.NeedsSchedule = true;
    }

    /// <summary>BEP 6: the peer allows us a piece while it chokes us; if we want it, it may attend now.</summary>
    public void OnAllowedFast(PeerConnection c)
    {
        if (c.PeerChoking) download.NeedsSchedule = true;
    }

    /// <summary>The peer announced a piece it did not have before.</summary>
    public void OnHave(PeerConnection c, int index)
    {
        download.Plan.AddAvailability(index);
        if (download.IsActive && download.Plan.IsWanted(index)) c.SetInterested(true);
        download.NeedsSchedule = true;
    }

    /// <summary>The peer's bitfield (BEP 3 puts it first; some clients send one later, replacing what we knew).</summary>
    public void OnBitfield(PeerConnection c, Bitfield? previous)
    {
        if (previous is not null) download.Plan.RemoveAvailability(previous);
        download.Plan.AddAvailability(c.RemotePieces!);
        download.UpdateInterest(c);
        download.NeedsSchedule = true;
    }

    /// <summary>A block from an attendant, staged for the writer if we asked for it; returns its length, 0 if dropped.</summary>
    public int OnBlock(PeerConnection c, PeerMessage message, int payloadStart, long now)
    {
        if (Find(c) is not { } attendant) return 0;
        var taken = download.Window.OnBlock(attendant, message, payloadStart, now, out var pieceDone);
        c.BytesDownloaded += taken;
        download.CountReceived(taken);
        if (pieceDone) download.NeedsSchedule = true;
        return taken;
    }

    /// <summary>Both sides dialled each other and <paramref name="kept"/> stays: the endpoint follows it, so it is not redialled while that one lives.</summary>
    public void Follow(PeerConnection dropped, PeerConnection kept)
    {
        if (_known.Find(p => ReferenceEquals(p.Connection, dropped)) is not { } known || Find(kept) is not { KnownPeer: null } attendant) return;
        attendant.KnownPeer = known;
        known.Connection = kept;
    }

    /// <summary>The endpoint we dialled is ourselves: never dialled again.</summary>
    public void BanSelf(PeerConnection c)
    {
        if (_known.Find(p => ReferenceEquals(p.Connection, c)) is { } self) self.Banned = true;
    }

    /// <summary>
    /// A peer that sent a corrupt piece is dropped and never used again for this download; its address is banned
    /// engine-wide for a while (every connection from it closed), except on loopback (see <see cref="ConnectionLimits"/>).
    /// </summary>
    public void Ban(Attendant attendant)
    {
        attendant.Banned = true;
        if (attendant.Connection.RemotePeerId is { } peerId) _bannedPeerIds.Add(peerId);
        if (attendant.KnownPeer is { } known) known.Banned = true;
        attendant.Connection.Close("sent a corrupt piece");
        var address = attendant.Connection.RemoteEndPoint.Address;
        if (!context.Connections.Limits.Ban(address, Environment.TickCount64)) return;
        foreach (var c in context.Connections.All)
            if (c.RemoteEndPoint.Address.Equals(address)) c.Close("its address sent a corrupt piece");
    }

    /// <summary>Forgets every attendant at once (cancel, remove); their connections are closed by the caller.</summary>
    public IReadOnlyList<Attendant> DetachAll()
    {
        var all = _attendants.ToArray();
        _attendants.Clear();
        _byConnection.Clear();
        foreach (var peer in _known) peer.Connection = null;
        return all;
    }
}
