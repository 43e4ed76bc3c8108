using System.Net;
using BitTorrent.Peer.Engine;

namespace BitTorrent.Peer.Hosting;

/// <summary>
/// What the peer knows of itself once it has its identity from the tracker: its numeric id, the
/// host it registered for transfers, its transfer port (the engine's, once started) and whether
/// it is ready. The REST layer reads it; <see cref="PeerHost"/> fills it.
/// </summary>
public sealed class PeerRuntime(TransferEngine engine)
{
    private volatile bool _ready;

    public long PeerId { get; private set; }
    public string AdvertisedHost { get; private set; } = "127.0.0.1";

    /// <summary>Registered, engine running, downloads restored and the library seeded.</summary>
    public bool Ready => _ready;

    /// <summary>The engine's listening port; 0 until it is started.</summary>
    public int TransferPort => engine.IsStarted ? engine.LocalEndPoint.Port : 0;

    internal void Registered(long peerId, string advertisedHost)
    {
        PeerId = peerId;
        AdvertisedHost = advertisedHost;
    }

    internal void MarkReady() => _ready = true;

    /// <summary>Whether an endpoint the tracker returned is this peer itself.</summary>
    public bool IsSelf(IPEndPoint endPoint) =>
        endPoint.Port == TransferPort && (endPoint.Address.ToString() == AdvertisedHost || IPAddress.IsLoopback(endPoint.Address) && AdvertisedHost is "127.0.0.1" or "localhost");
}
