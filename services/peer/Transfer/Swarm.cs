using BitTorrent.Peer.Downloads;
using BitTorrent.Shared.Torrents;
using Microsoft.Win32.SafeHandles;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// Everything the engine holds for one torrent: the file (served from and, while downloading,
/// written to), the pieces we have, the peers connected for it and, if we are fetching it, the download.
/// </summary>
internal sealed class Swarm(TorrentMetainfo torrent, string filePath, Bitfield have)
{
    public TorrentMetainfo Torrent { get; } = torrent;
    public string FilePath { get; } = filePath;
    public Bitfield Have { get; set; } = have;
    public SafeFileHandle? File { get; set; }
    public Download? Download { get; set; }
    public List<PeerConnection> Connections { get; } = [];

    /// <summary>Peers may connect only while we hold an open file for it.</summary>
    public bool IsServing => File is not null;
}
