namespace BitTorrent.Peer.Downloads;

public enum PieceStatus
{
    Missing,

    /// <summary>A transaction is fetching it from its attendant.</summary>
    InFlight,

    /// <summary>All blocks arrived; the block writer's thread finishes writing it and checks its SHA-1 (<see cref="PieceVerifier"/>).</summary>
    Verifying,

    Verified,
}
