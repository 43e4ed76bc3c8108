namespace BitTorrent.Peer.Transfer;

internal enum ConnectionPhase
{
    /// <summary>Outgoing non-blocking connect in progress.</summary>
    Connecting,

    /// <summary>Waiting for the peer's handshake.</summary>
    Handshaking,

    Open,

    /// <summary>Closed; the engine settles what depended on it (pieces, choke slot) and forgets it.</summary>
    Closed,
}
