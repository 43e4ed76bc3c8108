namespace BitTorrent.ChordNode.Membership;

/// <summary>Where a node hears of other members: multicast discovery and static seeds.</summary>
public interface IMemberSource
{
    /// <summary>URLs of members believed alive right now (may include this node itself).</summary>
    IReadOnlyCollection<string> CandidateUrls();
}

/// <summary>Static seed URLs from configuration: the fallback where multicast is unavailable.</summary>
public sealed class SeedMemberSource(IEnumerable<string> seeds) : IMemberSource
{
    private readonly string[] _seeds = seeds.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.TrimEnd('/')).ToArray();
    public IReadOnlyCollection<string> CandidateUrls() => _seeds;
}

public sealed class CompositeMemberSource(IEnumerable<IMemberSource> sources) : IMemberSource
{
    public IReadOnlyCollection<string> CandidateUrls() =>
        sources.SelectMany(s => s.CandidateUrls()).Distinct(StringComparer.Ordinal).ToArray();
}
