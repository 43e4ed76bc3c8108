using BitTorrent.Shared.Telemetry;
using OpenTelemetry.Metrics;

namespace BitTorrent.ChordNode.Telemetry;

public static class ChordNodeTelemetryExtensions
{
    /// <summary>
    /// Metrics at /metrics (and OTLP when configured) with the node's own meter and gauges; traces over OTLP
    /// when configured. Ring RPC (/chord, /dht) is traced only as part of a trace its caller started (an
    /// announce's, a publish's, a write-behind flush's), never as a trace of its own: stabilize rounds and
    /// anti-entropy would bury the traces of requests.
    /// </summary>
    public static WebApplicationBuilder AddChordNodeTelemetry(this WebApplicationBuilder builder)
    {
        builder.AddServiceTelemetry("chord-node", [ChordTelemetry.MeterName], [ChordTelemetry.ActivitySourceName],
            traced: context => !IsRingRpc(context.Request.Path) || ServiceTelemetry.ContinuesTrace(context));
        builder.Services.AddSingleton<ChordNodeGauges>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInstrumentation(sp => sp.GetRequiredService<ChordNodeGauges>()));
        return builder;
    }

    private static bool IsRingRpc(PathString path) => path.StartsWithSegments("/chord") || path.StartsWithSegments("/dht");
}
