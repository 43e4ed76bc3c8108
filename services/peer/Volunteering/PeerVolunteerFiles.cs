using System.Net;
using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Volunteering;

/// <summary>
/// Volunteer copies through the peer's normal paths: a fetch is a download (<see cref="DownloadManager.StartAsync"/>: the same
/// engine, so the engine-wide upload and download limits and the active-downloads queue apply), a finished one joins the
/// library (<see cref="DownloadCompletions"/>) and is seeded like any file, a drop is <see cref="FileRemover"/> with its data.
/// </summary>
public sealed class PeerVolunteerFiles(PeerStorage storage, TransferEngine engine, DownloadManager downloads, FileRemover remover) : IVolunteerFiles
{
    public VolunteerFileState StateOf(Id160 infoHash)
    {
        var download = engine.IsStarted ? engine.GetDownload(infoHash) : null;
        if (storage.Find(infoHash) is not null || download is { State: DownloadState.Completed, Partial: false }) return VolunteerFileState.Held;
        return download?.State switch
        {
            null => VolunteerFileState.Gone,
            DownloadState.Failed or DownloadState.Cancelled => VolunteerFileState.Failed,
            _ => VolunteerFileState.Fetching,
        };
    }

    public bool IsHere(Id160 infoHash) =>
        storage.Find(infoHash) is not null || (engine.IsStarted && engine.GetDownload(infoHash) is { State: not DownloadState.Cancelled });

    public async Task<long> FetchAsync(Id160 infoHash, CancellationToken cancellationToken) =>
        (await downloads.StartAsync(infoHash, null, cancellationToken)).TotalBytes;

    public async Task DropAsync(Id160 infoHash, CancellationToken cancellationToken)
    {
        try
        {
            await remover.RemoveAsync(infoHash, deleteData: true, cancellationToken);
        }
        catch (DownloadRefusedException e) when (e.Status == HttpStatusCode.NotFound)
        {
            // already gone: nothing to stop or delete
        }
    }

    public (string Name, long Done, long Total)? Describe(Id160 infoHash)
    {
        var download = engine.IsStarted ? engine.GetDownload(infoHash) : null;
        if (storage.Find(infoHash) is { } item) return (item.Name, item.Length, item.Length);
        return download is null ? null : (download.Name, download.BytesDone, download.TotalBytes);
    }
}
