namespace BitTorrent.Peer.Tracking;

/// <summary>No chord node answered.</summary>
public sealed class TrackerUnavailableException(Exception? inner)
    : Exception("No tracker node could be reached: check that the ring is running (make run) or give a node by hand.", inner);
