using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Storage;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// The files this peer holds whole, read without changing anything: its library, and downloads
/// that have completed but that the library has not taken in yet (<see cref="DownloadCompletions"/>
/// does within moments of the completion event), so a finished file is listed and opened at once.
/// A download that completed with only some of its files chosen is not held whole and not listed.
/// </summary>
public sealed class HeldFiles(PeerStorage storage, TransferEngine engine)
{
    public IReadOnlyList<LibraryItem> All()
    {
        var library = storage.Library();
        var known = library.Select(i => i.InfoHash).ToHashSet();
        return [.. library, .. engine.GetDownloads().Where(d => d is { State: DownloadState.Completed, Partial: false } && !known.Contains(d.InfoHash)).Select(ItemOf)];
    }

    public LibraryItem? Find(Id160 infoHash) =>
        storage.Find(infoHash) ?? (engine.GetDownload(infoHash) is { State: DownloadState.Completed, Partial: false } done ? ItemOf(done) : null);

    /// <summary>What the library will hold for a completed download.</summary>
    public static LibraryItem ItemOf(DownloadSnapshot download) =>
        new(download.InfoHash, Path.GetFileName(download.TargetPath), download.TotalBytes, LibraryOrigin.Downloaded, download.CompletedAt ?? download.StartedAt);
}
