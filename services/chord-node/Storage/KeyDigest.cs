namespace BitTorrent.ChordNode.Storage;

/// <summary>A short fingerprint of an entry, so replicas compare state without sending it.</summary>
public sealed record KeyDigest(string Key, long Digest);
