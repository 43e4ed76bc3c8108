namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// A volunteer as the coordinator remembers it (in <c>volunteers</c>, <c>claims/{h}</c>, <c>holders/{h}</c> and <c>drops/{h}</c>):
/// its room after its last assignment, and its transfer address, by which its swarm entries are recognised.
/// </summary>
internal sealed record VolunteerEntry(long FreeBytes, int FreeSlots, string Host, int Port);
