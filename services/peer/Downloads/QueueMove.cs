namespace BitTorrent.Peer.Downloads;

/// <summary>Where a queued download moves in the queue of downloads waiting for a slot.</summary>
public enum QueueMove
{
    /// <summary>First in the queue: it starts when the next slot frees.</summary>
    Top,

    /// <summary>One place earlier.</summary>
    Up,

    /// <summary>One place later.</summary>
    Down,

    /// <summary>Last in the queue.</summary>
    Bottom,
}
