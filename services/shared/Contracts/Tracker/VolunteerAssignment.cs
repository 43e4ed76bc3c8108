namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>The ring's answer to a volunteer: its jobs now, and when to ask again.</summary>
/// <param name="Tasks">Fetches (within the volunteer's free room and slots) and drops; often empty.</param>
/// <param name="PollAfterSeconds">Ask again after this many seconds (the tracker's Tracker:VolunteerPollInterval).</param>
public sealed record VolunteerAssignment(IReadOnlyList<VolunteerTask> Tasks, int PollAfterSeconds);
