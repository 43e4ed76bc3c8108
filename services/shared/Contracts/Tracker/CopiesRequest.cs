namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// A file's target number of copies: how many peers should seed it at any time (<c>PUT /api/tracker/files/{infoHash}/copies</c>,
/// the publisher's token). 1 means only the publisher; above 1 the ring asks volunteers to fetch copies.
/// </summary>
public sealed record CopiesRequest(int Copies)
{
    public const int Min = 1;

    /// <summary>The most copies anyone may ask for: each one costs a volunteer's disk and the swarm's bandwidth.</summary>
    public const int Max = 16;

    /// <summary>Each refused field with a sentence saying why; empty when the request is valid.</summary>
    public Dictionary<string, string[]> Validate() =>
        Copies is < Min or > Max
            ? new() { ["copies"] = [$"Copies must be from {Min} to {Max}."] }
            : [];
}
