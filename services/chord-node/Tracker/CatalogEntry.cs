namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// A member of <c>catalog/{p}</c> (member = info-hash hex). <see cref="Published"/> is when the file was first
/// published; entries written before the tracker kept it have none (and sort last by date). <see cref="Copies"/> is the
/// publisher's target number of seeders; none (entries written before targets existed, or a target of 1) reads as 1.
/// </summary>
internal sealed record CatalogEntry(string InfoHash, string Name, long Length, DateTimeOffset? Published = null, int? Copies = null)
{
    public int TargetCopies => Copies is > 1 ? Copies.Value : 1;
}
