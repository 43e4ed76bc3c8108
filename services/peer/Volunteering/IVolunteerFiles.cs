using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Volunteering;

/// <summary>What <see cref="VolunteerAgent"/> does to files on this peer: through the peer's normal download and removal paths.</summary>
public interface IVolunteerFiles
{
    VolunteerFileState StateOf(Id160 infoHash);

    /// <summary>Whether the peer holds or downloads the file at all (the caller knows whether it is a volunteer copy).</summary>
    bool IsHere(Id160 infoHash);

    /// <summary>Starts downloading the file as any download starts; returns the torrent's length.</summary>
    Task<long> FetchAsync(Id160 infoHash, CancellationToken cancellationToken);

    /// <summary>Stops sharing the file and deletes its data.</summary>
    Task DropAsync(Id160 infoHash, CancellationToken cancellationToken);

    /// <summary>The file's name and progress (bytes done, bytes total) for the volunteer view; null when not here.</summary>
    (string Name, long Done, long Total)? Describe(Id160 infoHash);
}
