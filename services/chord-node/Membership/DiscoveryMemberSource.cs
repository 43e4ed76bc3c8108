using BitTorrent.Shared.Discovery;

namespace BitTorrent.ChordNode.Membership;

/// <summary>
/// Members heard on the multicast discovery group. Only announcements signed with the ring secret count: the
/// node sends the secret to these urls, so a listener that verifies nothing contributes no candidate.
/// </summary>
public sealed class DiscoveryMemberSource(DiscoveryListener listener) : IMemberSource
{
    public IReadOnlyCollection<string> CandidateUrls() =>
        listener.Verified ? listener.LiveNodes.Select(n => n.Url.TrimEnd('/')).ToArray() : [];
}
