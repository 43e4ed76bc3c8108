using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Ring;

public sealed class LookupFailedException(Id160 id, string reason)
    : Exception($"Lookup of {id.Short} failed: {reason}");
