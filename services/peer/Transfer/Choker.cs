namespace BitTorrent.Peer.Transfer;

/// <summary>
/// Who we upload to (BEP 3 choking): every interested peer is unchoked up to
/// <see cref="TransferEngineOptions.MaxUnchokedPeers"/>; when an unchoked peer goes away or loses
/// interest (it has what it wanted), it is choked and the next interested one waiting takes its
/// slot. How fast we upload is the rate limiter's part.
/// </summary>
internal sealed class Choker(int maxUnchoked)
{
    public int Unchoked { get; private set; }

    public void OnInterested(PeerConnection c)
    {
        c.PeerInterested = true;
        TryUnchoke(c);
    }

    /// <summary>A peer that wants nothing more is choked, and its slot goes to a peer that waits.</summary>
    public void OnNotInterested(PeerConnection c, IReadOnlyList<PeerConnection> all)
    {
        c.PeerInterested = false;
        if (c.AmChoking) return;
        c.SendState(MessageType.Choke);
        BlockServer.OnChoked(c); // a choked peer's requests are dropped (BEP 3) or rejected (BEP 6)
        ReleaseSlot(c, all);
    }

    /// <summary>A closed connection gives its slot to the first interested peer that waits for one.</summary>
    public void OnClosed(PeerConnection closed, IReadOnlyList<PeerConnection> all)
    {
        if (!closed.AmChoking) ReleaseSlot(closed, all);
    }

    private void ReleaseSlot(PeerConnection released, IReadOnlyList<PeerConnection> all)
    {
        released.AmChoking = true;
        Unchoked--;
        foreach (var c in all)
        {
            if (c.IsOpen && c.AmChoking && c.PeerInterested)
            {
                TryUnchoke(c);
                return;
            }
        }
    }

    private void TryUnchoke(PeerConnection c)
    {
        if (!c.AmChoking || !c.PeerInterested || Unchoked >= maxUnchoked || !c.IsOpen) return;
        c.AmChoking = false;
        Unchoked++;
        c.SendState(MessageType.Unchoke);
    }
}
