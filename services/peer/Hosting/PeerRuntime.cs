using System.Net;
using BitTorrent.Peer.Transfer;

namespace BitTorrent.Peer.Hosting;

/// <summary>
/// What exists only once the peer has its id from the tracker: the transfer engine and the
/// addresses it registered. The REST layer reads it; <see cref="PeerHost"/> fills it.
/// </summary>
public sealed class PeerRuntime
{
    private volatile TransferEngine? _engine;

    public long PeerId { get; private set; }
    public string AdvertisedHost { get; private set; } = "127.0.0.1";
    private volatile bool _ready;

    /// <summary>Registered, engine running, downloads restored and the library seeded.</summary>
    public bool Ready => _ready;
    public TransferEngine? Engine => _engine;

    public int TransferPort => _engine?.LocalEndPoint.Port ?? 0;

    public TransferEngine RequireEngine() =>
        _engine ?? throw new PeerNotReadyException();

    internal void Started(TransferEngine engine, long peerId, string advertisedHost)
    {
        PeerId = peerId;
        AdvertisedHost = advertisedHost;
        _engine = engine;
    }

    internal void MarkReady() => _ready = true;

    /// <summary>Whether an endpoint the tracker returned is this peer itself.</summary>
    public bool IsSelf(IPEndPoint endPoint) =>
        endPoint.Port == TransferPort && (endPoint.Address.ToString() == AdvertisedHost || IPAddress.IsLoopback(endPoint.Address) && AdvertisedHost is "127.0.0.1" or "localhost");
}

/// <summary>The peer has not registered with the tracker yet.</summary>
public sealed class PeerNotReadyException()
    : Exception("This peer has not registered with the tracker yet: no chord node answered so far. It keeps trying.");
