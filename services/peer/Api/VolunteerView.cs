namespace BitTorrent.Peer.Api;

/// <summary>
/// What this peer lends the ring: the room (<see cref="MaxBytes"/>, 0 when it does not volunteer), the bytes its volunteer
/// copies take, how many it may fetch at once, and the copies themselves, newest first.
/// </summary>
public sealed record VolunteerView(long MaxBytes, long UsedBytes, int MaxConcurrentFetches, IReadOnlyList<VolunteerCopyView> Copies);
