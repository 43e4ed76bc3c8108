namespace BitTorrent.Peer.Transfer;

/// <summary>Message ids of the BEP 3 peer wire protocol and BEP 10's extended message. Keep-alive has no id on the wire.</summary>
public enum MessageType : byte
{
    Choke = 0,
    Unchoke = 1,
    Interested = 2,
    NotInterested = 3,
    Have = 4,
    Bitfield = 5,
    Request = 6,
    Piece = 7,
    Cancel = 8,

    /// <summary>BEP 10: an extension message (its first payload byte says which extension; 0 is the extension handshake).</summary>
    Extended = 20,

    /// <summary>A zero-length message; not a wire id.</summary>
    KeepAlive = 0xFF,
}
