namespace BitTorrent.ChordNode.Tracker;

/// <summary>A member's value in <c>copies-index</c>: a file's target copies and its length (what a volunteer's fetch takes).</summary>
internal sealed record CopiesIndexEntry(int Copies, long Length);
