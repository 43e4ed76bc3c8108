using BitTorrent.ChordNode.Storage;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// Which swarm entries count as online: those whose peer announced within <see cref="Window"/> of now. An entry lives on until
/// <see cref="TrackerOptions.PeerTtl"/> (2.5 intervals, so one lost announce does not take a peer out of the peer lists), but a
/// peer that died without a "stopped" announce should not be counted as a copy, nor shown as one, for that long: the seeder and
/// leecher counts and the volunteer coordinator's copies count only online entries.
/// </summary>
/// <remarks>
/// The last announce is the entry's last write (<see cref="SetMember.UpdatedUnixMs"/>, stamped by the swarm key's primary): every
/// announce and REST join rewrites the entry, and nothing else does. It is taken from the stored timestamp rather than from the
/// expiry minus <see cref="TrackerOptions.PeerTtl"/>, so it stays right while nodes run with different TTLs (a configuration
/// rolled out node by node), and entries written by any earlier version carry it already.
/// </remarks>
internal readonly struct SwarmLiveness
{
    /// <summary>The least slack allowed beyond the interval, whatever the interval (a slow round trip or a busy machine does not scale down with short test timings).</summary>
    public static readonly TimeSpan MinimumSlack = TimeSpan.FromSeconds(5);

    private readonly long _cutoffUnixMs;

    private SwarmLiveness(long cutoffUnixMs) => _cutoffUnixMs = cutoffUnixMs;

    /// <summary>
    /// How long after its last announce an entry counts as online: the announce interval plus a quarter of it, and at least
    /// <see cref="MinimumSlack"/> more than the interval (37.5 s at the default 30 s). Peers are asked to announce every interval
    /// (ours re-announce every <c>Peer:RefreshInterval</c>, 20 s by default); the slack lets a client announce late by a quarter
    /// interval without being counted gone.
    /// </summary>
    public static TimeSpan Window(TrackerOptions options)
    {
        var slack = options.AnnounceInterval / 4;
        return options.AnnounceInterval + (slack > MinimumSlack ? slack : MinimumSlack);
    }

    /// <summary>The rule as of <paramref name="now"/>.</summary>
    public static SwarmLiveness At(DateTimeOffset now, TrackerOptions options) =>
        new(now.ToUnixTimeMilliseconds() - (long)Window(options).TotalMilliseconds);

    /// <summary>The oldest last announce (Unix ms) that still counts as online.</summary>
    public long OnlineSinceUnixMs => _cutoffUnixMs;

    /// <summary>Whether the entry's peer announced within the window (an entry exactly at its edge still counts).</summary>
    public bool IsOnline(SetMember member) => member.UpdatedUnixMs >= _cutoffUnixMs;
}
