using BitTorrent.Shared.Discovery;

namespace BitTorrent.ChordNode.Membership;

/// <summary>Members heard on the multicast discovery group.</summary>
public sealed class DiscoveryMemberSource(DiscoveryListener listener) : IMemberSource
{
    public IReadOnlyCollection<string> CandidateUrls() => listener.LiveNodes.Select(n => n.Url.TrimEnd('/')).ToArray();
}
