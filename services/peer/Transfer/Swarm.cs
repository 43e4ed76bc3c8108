using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// One torrent on the wire: the files its blocks are served from (and, while it is downloaded,
/// written to), the pieces we have and announce, and the connections open for it.
/// </summary>
internal sealed class Swarm(TorrentMetainfo torrent, string contentPath, Bitfield have)
{
    public TorrentMetainfo Torrent { get; } = torrent;
    public Id160 InfoHash => Torrent.InfoHash;

    /// <summary>The file of a single-file torrent, the folder of a multi-file one.</summary>
    public string ContentPath { get; } = contentPath;
    public Bitfield Have { get; set; } = have;
    public ContentFiles? Content { get; set; }
    public List<PeerConnection> Connections { get; } = [];

    /// <summary>This torrent's own upload limit (0, unlimited, unless the user set one), on top of the engine's.</summary>
    public RateLimiter UploadLimiter { get; } = new();
    /// <summary>Payload bytes served to peers of this torrent since the engine started.</summary>
    public long BytesUploaded { get; set; }

    /// <summary>Peers may connect only while we hold its files open.</summary>
    public bool IsServing => Content is not null;

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
