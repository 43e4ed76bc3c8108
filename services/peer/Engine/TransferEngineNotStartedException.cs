namespace BitTorrent.Peer.Engine;

/// <summary>A command reached the engine before it was started (the peer is still starting).</summary>
public sealed class TransferEngineNotStartedException()
    : Exception("The transfer engine is not started yet.");
