using System.Net;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Downloads;

/// <summary>A peer endpoint given for a download (by the tracker's announce replies, or a caller) and how connecting to it went.</summary>
internal sealed class KnownPeer(IPEndPoint endPoint)
{
    public IPEndPoint EndPoint { get; } = endPoint;
    public PeerConnection? Connection { get; set; }
    public int Failures { get; set; }

    /// <summary>Monotonic time (ms, Environment.TickCount64) before which we do not dial again.</summary>
    public long RetryAt { get; set; }

    /// <summary>It sent corrupt data, or it is ourselves: never dialled again for this download.</summary>
    public bool Banned { get; set; }
}
