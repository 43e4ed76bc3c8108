using BitTorrent.Shared.Telemetry;
using OpenTelemetry.Metrics;

namespace BitTorrent.Gateway.Telemetry;

public static class GatewayTelemetryExtensions
{
    /// <summary>
    /// Metrics at the gateway's own /metrics (and OTLP when configured); traces over OTLP when configured, with
    /// W3C trace context sent on to the chord nodes and peers by every forwarding path (YARP's client, the
    /// announce forwarder's invoker), so one announce is one trace from here to its owner.
    /// </summary>
    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        builder.AddServiceTelemetry("gateway", [GatewayTelemetry.MeterName], [GatewayTelemetry.ActivitySourceName]);
        builder.Services.AddSingleton<GatewayGauges>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInstrumentation(sp => sp.GetRequiredService<GatewayGauges>()));
        return builder;
    }
}
