namespace BitTorrent.ChordNode.Storage;

/// <summary>The operations a key's primary applies.</summary>
public enum DhtOperationKind { Get, Put, GetSet, UpdateSet, Increment }
