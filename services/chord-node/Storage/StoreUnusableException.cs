namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// The data directory cannot be used (corrupt, another schema version, not writable, in use). The message
/// is one sentence for the operator; the node prints it and exits rather than serve a partial store.
/// </summary>
public sealed class StoreUnusableException(string directory, string reason, Exception? inner = null)
    : Exception($"The chord node cannot use its data directory {directory}: {reason}.", inner)
{
    public string Directory { get; } = directory;
}
