using BitTorrent.Peer.Volunteering;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.Peer.Volunteering;

/// <summary>Files on a pretend peer: what the agent fetched and dropped, and the user's own files it must leave alone.</summary>
internal sealed class FakeVolunteerFiles : IVolunteerFiles
{
    public Dictionary<Id160, VolunteerFileState> States { get; } = [];
    public HashSet<Id160> UsersFiles { get; } = [];
    public List<Id160> Fetched { get; } = [];
    public List<Id160> Dropped { get; } = [];

    public VolunteerFileState StateOf(Id160 infoHash) =>
        UsersFiles.Contains(infoHash) ? VolunteerFileState.Held : States.GetValueOrDefault(infoHash, VolunteerFileState.Gone);

    public bool IsHere(Id160 infoHash) => UsersFiles.Contains(infoHash) || States.ContainsKey(infoHash);

    public Task<long> FetchAsync(Id160 infoHash, CancellationToken cancellationToken)
    {
        Fetched.Add(infoHash);
        States[infoHash] = VolunteerFileState.Fetching;
        return Task.FromResult(Lengths.GetValueOrDefault(infoHash, 100L));
    }

    public Dictionary<Id160, long> Lengths { get; } = [];

    public Task DropAsync(Id160 infoHash, CancellationToken cancellationToken)
    {
        if (UsersFiles.Contains(infoHash)) throw new InvalidOperationException("The agent dropped a user's file.");
        Dropped.Add(infoHash);
        States.Remove(infoHash);
        return Task.CompletedTask;
    }

    public (string Name, long Done, long Total)? Describe(Id160 infoHash) => null;
}
