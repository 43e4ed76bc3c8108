namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// What a volunteering peer tells the ring when it asks for work (<c>POST /api/tracker/volunteers/{peerId}/assignment</c>,
/// with its token): how many bytes it may still take, how many more fetches it may start, and the info-hashes of the
/// volunteer copies it holds or is fetching now. Bounded: at most <see cref="MaxHeld"/> info-hashes, body at most
/// <see cref="MaxBodyBytes"/>.
/// </summary>
/// <param name="FreeBytes">Room left under the peer's volunteer limit (its MaxBytes minus what its volunteer copies use).</param>
/// <param name="FreeSlots">How many more files it may start fetching now (its concurrent-fetch limit minus running fetches).</param>
/// <param name="Held">Info-hashes (40 hex digits) of volunteer copies it holds complete.</param>
/// <param name="Fetching">Info-hashes of volunteer copies it is fetching.</param>
public sealed record VolunteerReport(long FreeBytes, int FreeSlots, IReadOnlyList<string> Held, IReadOnlyList<string> Fetching)
{
    public const int MaxHeld = 1000;

    public const int MaxBodyBytes = 128 * 1024;

    /// <summary>Each refused field with a sentence saying why; empty when the report is valid.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (FreeBytes < 0) errors["freeBytes"] = ["Free bytes must not be negative."];
        if (FreeSlots is < 0 or > 64) errors["freeSlots"] = ["Free slots must be from 0 to 64."];
        if (Held is null || Held.Count > MaxHeld) errors["held"] = [$"Held lists at most {MaxHeld} info-hashes."];
        else if (!Held.All(IsInfoHash)) errors["held"] = ["Every held info-hash is 40 hexadecimal digits."];
        if (Fetching is null || Fetching.Count > MaxHeld) errors["fetching"] = [$"Fetching lists at most {MaxHeld} info-hashes."];
        else if (!Fetching.All(IsInfoHash)) errors["fetching"] = ["Every fetching info-hash is 40 hexadecimal digits."];
        return errors;
    }

    private static bool IsInfoHash(string? value) => value is { Length: 40 } && value.All(char.IsAsciiHexDigit);
}
