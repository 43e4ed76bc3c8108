namespace BitTorrent.Peer.Transfer;

/// <summary>
/// Who we upload to (BEP 3 choking): every interested peer is unchoked up to
/// <see cref="TransferEngineOptions.MaxUnchokedPeers"/>; when an unchoked peer goes away, the
/// next interested one waiting takes its slot. How fast we upload is the rate limiter's part.
/// </summary>
internal sealed class Choker(int maxUnchoked)
{
    public int Unchoked { get; private set; }

    public void OnInterested(PeerConnection c)
    {
        c.PeerInterested = true;
        TryUnchoke(c);
    }

    public static void OnNotInterested(PeerConnection c) => c.PeerInterested = false;

    /// <summary>A closed connection gives its slot to the first interested peer that waits for one.</summary>
    public void OnClosed(PeerConnection closed, IReadOnlyList<PeerConnection> all)
    {
        if (closed.AmChoking) return;
        closed.AmChoking = true;
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
