namespace BitTorrent.ChordNode.Storage;

/// <summary>No holder of a key answered (the ring is repairing, or too many members are down).</summary>
public sealed class DhtUnavailableException(string key, Exception? inner)
    : Exception($"No replica of '{key}' could be reached.", inner);
