namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// A swarm's live seeders, counted as the catalog counts them, and recognisable as registered peers: by the numeric id a peer that
/// joined by REST is listed under, or by the transfer address an announcing peer's entry carries (as the gateway matches seeders).
/// </summary>
internal sealed class SwarmSeeders
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly HashSet<(string Host, int Port)> _addresses = [];

    /// <summary>How many live seeder entries the swarm has.</summary>
    public int Count { get; private set; }

    public static SwarmSeeders Of(IReadOnlyList<Storage.SetMember> swarm)
    {
        var seeders = new SwarmSeeders();
        foreach (var member in swarm)
        {
            if (!SwarmEntry.IsSeederJson(member.Value)) continue;
            seeders.Count++;
            if (SwarmEntry.FromJson(member.Value) is not { } entry) continue;
            seeders._ids.Add(entry.PeerId);
            seeders._addresses.Add((entry.Host.ToLowerInvariant(), entry.Port));
        }
        return seeders;
    }

    /// <summary>Whether the registered peer <paramref name="peerId"/>, reachable at the transfer address given, seeds the file.</summary>
    public bool Contains(string peerId, string host, int port) =>
        _ids.Contains(peerId) || _addresses.Contains((host.ToLowerInvariant(), port));
}
