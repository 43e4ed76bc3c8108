namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>What the ring asks a volunteer to do with one file.</summary>
public enum VolunteerAction
{
    /// <summary>Download the file and seed it as a volunteer copy; the claim holds until <see cref="VolunteerTask.LeaseUntil"/>.</summary>
    Fetch,

    /// <summary>Stop seeding the volunteer copy and delete its data: the file has more copies than its target.</summary>
    Drop,
}

/// <summary>One job for a volunteer: fetch or drop one file.</summary>
/// <param name="InfoHash">The file's info-hash, 40 lower-case hex digits.</param>
/// <param name="Action">Fetch it, or drop the volunteer copy.</param>
/// <param name="Length">The file's size in bytes (fetch: what it will take from the volunteer's room).</param>
/// <param name="LeaseUntil">Fetch: the claim lapses then unless the volunteer reports the file as fetching or held again.</param>
public sealed record VolunteerTask(string InfoHash, VolunteerAction Action, long Length, DateTimeOffset? LeaseUntil = null);
