namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// A swarm's seeders, counted as the catalog counts them (online ones only, <see cref="SwarmLiveness"/>), and recognisable as
/// registered peers: by the numeric id a peer that joined by REST is listed under, or by the transfer address an announcing
/// peer's entry carries (as the gateway matches seeders).
/// </summary>
internal sealed class SwarmSeeders
{
    private readonly HashSet<string> _onlineIds = new(StringComparer.Ordinal);
    private readonly HashSet<(string Host, int Port)> _onlineAddresses = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly HashSet<(string Host, int Port)> _addresses = [];

    /// <summary>How many seeder entries of the swarm are online: the copies the file has now.</summary>
    public int Count { get; private set; }

    public static SwarmSeeders Of(IReadOnlyList<Storage.SetMember> swarm, SwarmLiveness liveness)
    {
        var seeders = new SwarmSeeders();
        foreach (var member in swarm)
        {
            if (!SwarmEntry.IsSeederJson(member.Value)) continue;
            var online = liveness.IsOnline(member);
            if (online) seeders.Count++;
            if (SwarmEntry.FromJson(member.Value) is not { } entry) continue;
            var address = (entry.Host.ToLowerInvariant(), entry.Port);
            seeders._ids.Add(entry.PeerId);
            seeders._addresses.Add(address);
            if (!online) continue;
            seeders._onlineIds.Add(entry.PeerId);
            seeders._onlineAddresses.Add(address);
        }
        return seeders;
    }

    /// <summary>Whether the registered peer <paramref name="peerId"/>, reachable at the transfer address given, seeds the file and is counted as a copy of it.</summary>
    public bool IsOnline(string peerId, string host, int port) =>
        _onlineIds.Contains(peerId) || _onlineAddresses.Contains((host.ToLowerInvariant(), port));

    /// <summary>
    /// Whether the peer has any live seeder entry for the file, online or overdue: it holds the file, so it is never asked to fetch
    /// it nor weighed as a volunteer who could.
    /// </summary>
    public bool Holds(string peerId, string host, int port) =>
        _ids.Contains(peerId) || _addresses.Contains((host.ToLowerInvariant(), port));
}
