using BitTorrent.Shared.Identifiers;
using BitTorrent.Shared.Tracker;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>The DHT keys that give the store its BitTorrent meaning (ARCHITECTURE.md, tracker data model).</summary>
internal static class TrackerKeys
{
    public const string PeerIdCounter = "counter/peer-id";

    /// <summary>Set of all registered peers (member = peer id, value = the peer record), so listing is one read.</summary>
    public const string PeerIndex = "peer-index";

    /// <summary>Partitions of the peers' status reports, so listing them is a few reads.</summary>
    public const int PeerStatusPartitions = 16;

    public static string Torrent(Id160 infoHash) => string.Create(48, infoHash, static (span, id) => Write(span, "torrent/", id));

    /// <summary>The swarm key; shared with the gateway, which routes announces to its primary.</summary>
    public static string Swarm(Id160 infoHash) => SwarmKey.Of(infoHash);

    /// <summary>Set of peers that reported "completed" (the scrape's "downloaded").</summary>
    public static string Completed(Id160 infoHash) => string.Create(50, infoHash, static (span, id) => Write(span, "completed/", id));

    /// <summary>The register holding the id of the peer that first published a torrent with its token (who may remove it).</summary>
    public static string Publisher(Id160 infoHash) => string.Create(50, infoHash, static (span, id) => Write(span, "publisher/", id));

    /// <summary>The register holding when a seeder last announced a published torrent (Unix milliseconds, written at most every few minutes).</summary>
    public static string Seeded(Id160 infoHash) => string.Create(47, infoHash, static (span, id) => Write(span, "seeded/", id));

    public static string Name(string fileName) => "name/" + fileName;
    public static string Catalog(int partition) => "catalog/" + partition.ToString(System.Globalization.CultureInfo.InvariantCulture);
    /// <summary>
    /// The set holding a peer's last status report among those of its partition (member = peer id). Soft state: each
    /// member expires two refresh periods after it was written, and stays in memory.
    /// </summary>
    public static string PeerStatus(long peerId) => "peer-status/" + (peerId % PeerStatusPartitions).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string PeerStatusPartition(int partition) => "peer-status/" + partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Set of the files whose target copies exceed one (member = info-hash hex, value = <see cref="CopiesIndexEntry"/>), so the
    /// volunteer coordinator reads one key instead of the whole catalog.
    /// </summary>
    public const string CopiesIndex = "copies-index";

    /// <summary>Set of the volunteers that asked for work lately (member = peer id, value = <see cref="VolunteerEntry"/>, expiring).</summary>
    public const string Volunteers = "volunteers";

    /// <summary>Set of the volunteers' leased claims to fetch a file (member = peer id, value = <see cref="VolunteerEntry"/>, expiring).</summary>
    public static string Claims(Id160 infoHash) => string.Create(47, infoHash, static (span, id) => Write(span, "claims/", id));

    /// <summary>Set of the volunteers that reported holding a volunteer copy of a file (member = peer id, expiring).</summary>
    public static string Holders(Id160 infoHash) => string.Create(48, infoHash, static (span, id) => Write(span, "holders/", id));

    /// <summary>Set of the volunteers told to drop their copy of a file (member = peer id, expiring with the lease).</summary>
    public static string Drops(Id160 infoHash) => string.Create(46, infoHash, static (span, id) => Write(span, "drops/", id));

    /// <summary>
    /// Set holding one member: when a file's seeders were first seen above its target (Unix milliseconds), the start of the drop
    /// grace period; removed when they are not, and expiring when nobody looks.
    /// </summary>
    public static string Surplus(Id160 infoHash) => string.Create(48, infoHash, static (span, id) => Write(span, "surplus/", id));

    public static string Peer(long peerId) => "peer/" + peerId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Write(Span<char> span, string prefix, Id160 id)
    {
        prefix.CopyTo(span);
        id.TryFormat(span[prefix.Length..], out _, default, null);
    }
}
