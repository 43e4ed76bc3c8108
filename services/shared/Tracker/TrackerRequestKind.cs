namespace BitTorrent.Shared.Tracker;

/// <summary>Which tracker request an item of a <see cref="TrackerBatchFormat">batch</see> is.</summary>
public enum TrackerRequestKind : byte
{
    /// <summary><c>GET /announce</c> (BEP 3).</summary>
    Announce = 1,

    /// <summary><c>GET /scrape</c> (BEP 48).</summary>
    Scrape = 2,
}
