using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Torrents;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Sharing;

/// <summary>
/// The announce URL this peer puts in the torrents it makes (Peer:AnnounceUrl, else the tracker node
/// in use), and the magnet links of its files: the info-hash, the name and that tracker, all a real
/// client needs besides the metadata.
/// </summary>
public sealed class MagnetLinks(IOptions<PeerOptions> options, TrackerConnection tracker)
{
    public string AnnounceUrl =>
        options.Value.AnnounceUrl ?? $"{tracker.Current ?? tracker.Candidates().FirstOrDefault() ?? "http://127.0.0.1:5101"}/announce";

    public string For(Id160 infoHash, string? name) => MagnetLink.Create(infoHash, name, AnnounceUrl).ToString();
}
