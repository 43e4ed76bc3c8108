namespace BitTorrent.Peer.Transfer;

/// <summary>Message ids of the BEP 3 peer wire protocol, BEP 6's fast extension and BEP 10's extended message. Keep-alive has no id on the wire.</summary>
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

    /// <summary>BEP 6: the sender suggests a piece to fetch (we read it and ignore it).</summary>
    SuggestPiece = 0x0D,

    /// <summary>BEP 6: the sender has every piece (instead of a bitfield).</summary>
    HaveAll = 0x0E,

    /// <summary>BEP 6: the sender has no piece (instead of a bitfield).</summary>
    HaveNone = 0x0F,

    /// <summary>BEP 6: a request the sender will not serve (index, begin, length as in the request).</summary>
    RejectRequest = 0x10,

    /// <summary>BEP 6: a piece the sender serves even while it chokes the receiver.</summary>
    AllowedFast = 0x11,

    /// <summary>BEP 10: an extension message (its first payload byte says which extension; 0 is the extension handshake).</summary>
    Extended = 20,

    /// <summary>A zero-length message; not a wire id.</summary>
    KeepAlive = 0xFF,
}
