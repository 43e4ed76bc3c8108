namespace BitTorrent.Peer.Telemetry;

/// <summary>The peer's own meter (its instruments are in <see cref="PeerGauges"/>) and activity source.</summary>
public static class PeerTelemetry
{
    public const string MeterName = "BitTorrent.Peer";
    public const string ActivitySourceName = "BitTorrent.Peer";
}
