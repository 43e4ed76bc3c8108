namespace BitTorrent.ChordNode.Tracker;

/// <summary>The outcome of a call that needs a peer's token.</summary>
public enum PeerAccess
{
    /// <summary>The token is the peer's own; the change was made.</summary>
    Granted,
    /// <summary>No token was sent (401).</summary>
    NoToken,
    /// <summary>A token was sent, but not this peer's (403).</summary>
    WrongToken,
    /// <summary>The peer, or the file, is not known to the tracker (404).</summary>
    Unknown,
    /// <summary>The swarm already holds its maximum of live entries.</summary>
    Full,
}
