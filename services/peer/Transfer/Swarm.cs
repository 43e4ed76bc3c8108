using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Win32.SafeHandles;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// One torrent on the wire: the file its blocks are served from (and, while it is downloaded,
/// written to), the pieces we have and announce, and the connections open for it.
/// </summary>
internal sealed class Swarm(TorrentMetainfo torrent, string filePath, Bitfield have)
{
    public TorrentMetainfo Torrent { get; } = torrent;
    public Id160 InfoHash => Torrent.InfoHash;
    public string FilePath { get; } = filePath;
    public Bitfield Have { get; set; } = have;
    public SafeFileHandle? File { get; set; }
    public List<PeerConnection> Connections { get; } = [];

    /// <summary>Peers may connect only while we hold an open file for it.</summary>
    public bool IsServing => File is not null;

    /// <summary>A piece is ours now: served from here on, and announced to every open connection.</summary>
    public void AddPiece(int index)
    {
        Have.Set(index);
        foreach (var c in Connections)
            if (c.IsOpen) c.SendHave(index);
    }

    public int OpenConnections()
    {
        var open = 0;
        foreach (var c in Connections)
            if (c.IsOpen) open++;
        return open;
    }
}
