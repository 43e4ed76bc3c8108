using System.ComponentModel.DataAnnotations;

namespace BitTorrent.ChordNode.Ring;

/// <summary>The ring member's settings (configuration section "Chord"). Durations are TimeSpans ("00:00:00.500").</summary>
public sealed class ChordOptions
{
    public const string SectionName = "Chord";

    /// <summary>The URL other members reach this node at; defaults to the first URL Kestrel listens on.</summary>
    public string? AdvertisedUrl { get; set; }

    /// <summary>
    /// Shared ring secret; ring RPC without it is refused (401) and discovery announcements are signed with it.
    /// No default: a node refuses to start without one outside Development (<see cref="Rpc.RingSecret.RequireConfigured"/>).
    /// </summary>
    [Required, MinLength(8)]
    public string Secret { get; set; } = "";

    /// <summary>Length r of the successor list.</summary>
    [Range(1, 32)]
    public int SuccessorListLength { get; set; } = 4;

    /// <summary>Each key lives on its successor and the next Replicas-1 nodes.</summary>
    [Range(1, 16)]
    public int Replicas { get; set; } = 3;

    /// <summary>Period of stabilize, rectify, check-predecessor and fix-fingers.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan StabilizeInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Fingers refreshed by lookups each round (the rest follow from their neighbours).</summary>
    [Range(1, 160)]
    public int FingersPerRound { get; set; } = 8;

    /// <summary>Timeout of every ring RPC.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan RpcTimeout { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Period of replica synchronisation (anti-entropy).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a primary gathers announce (swarm) changes before replicating them in one batch. Swarm
    /// entries are soft state with a TTL, so the announce is answered before its replicas have it;
    /// a primary that dies loses at most this window of announces. Everything else replicates synchronously.
    /// Each flush costs a merge RPC per replica whatever its size, so a longer window is less CPU per announce:
    /// on 2 cores, 50 ms cost about 60 µs less of the ring's CPU per announce than 20 ms (and 20 ms measured better
    /// than 5 ms), with a 50 ms window of announces to lose (docs/benchmarks.md).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:01")]
    public TimeSpan WriteBehindDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Known members to join through when discovery hears nobody (e.g. a headless Service name).</summary>
    public string[] Seeds { get; set; } = [];

    /// <summary>
    /// The node's data directory: its store (<c>ring.db</c>, SQLite in WAL mode) lives here, so the keys it
    /// holds survive a restart. Unset: the store is in memory only (tests, the simulation). <c>make run</c>,
    /// <c>make node</c> and the chart always set it.
    /// </summary>
    public string? DataPath { get; set; }

    /// <summary>How long removed and expired set members are kept (so every replica sees the removal) before they and keys left empty are deleted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan TombstoneTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long to listen for other members before creating a new ring alone.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan JoinWait { get; set; } = TimeSpan.FromSeconds(3);
}
