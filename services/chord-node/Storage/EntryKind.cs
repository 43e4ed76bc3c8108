namespace BitTorrent.ChordNode.Storage;

/// <summary>What a key holds: a last-writer-wins register, a set of members, or a counter.</summary>
public enum EntryKind { Register, Set, Counter }
