using System.Diagnostics.Metrics;
using BitTorrent.Gateway.Routing;

namespace BitTorrent.Gateway.Telemetry;

/// <summary>The ring as the gateway routes to it, read when a reader collects.</summary>
public sealed class GatewayGauges
{
    public GatewayGauges(IMeterFactory meters, RingMembership membership)
    {
        var meter = meters.Create(GatewayTelemetry.MeterName);
        meter.CreateObservableGauge("bittorrent.gateway.ring.members", () => membership.Members.Length, "{node}",
            "Chord nodes the gateway routes tracker requests to (the whole ring, as its members list it)");
    }
}
