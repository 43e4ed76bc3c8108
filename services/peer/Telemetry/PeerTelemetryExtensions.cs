using BitTorrent.Shared.Telemetry;
using OpenTelemetry.Metrics;

namespace BitTorrent.Peer.Telemetry;

public static class PeerTelemetryExtensions
{
    /// <summary>
    /// Metrics at /metrics (and OTLP when configured) with the peer's transfer gauges; traces over OTLP when configured: a publish is one trace
    /// from the peer's request through the tracker calls it makes to the ring.
    /// </summary>
    public static WebApplicationBuilder AddPeerTelemetry(this WebApplicationBuilder builder)
    {
        builder.AddServiceTelemetry("peer", [PeerTelemetry.MeterName], [PeerTelemetry.ActivitySourceName]);
        builder.Services.AddSingleton<PeerGauges>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInstrumentation(sp => sp.GetRequiredService<PeerGauges>()));
        return builder;
    }
}
