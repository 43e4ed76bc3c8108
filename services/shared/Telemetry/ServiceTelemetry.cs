using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BitTorrent.Shared.Telemetry;

/// <summary>
/// The telemetry every service has, set up in one place: ASP.NET Core, HttpClient and .NET runtime
/// instrumentation plus the service's own meters, served at <see cref="MetricsPath"/> in the Prometheus
/// text format; when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, metrics and traces also go there over OTLP
/// (the standard <c>OTEL_*</c> variables choose the protocol, headers and intervals). Traces are recorded
/// only then: without an exporter nothing would read them. Console logs carry the trace and span ids of the
/// request they belong to (as scopes; shown by the JSON formatter, <c>Logging:Console:FormatterName=json</c>).
/// </summary>
public static class ServiceTelemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>The most series one metric keeps (its cardinality limit).</summary>
    public const int MaxSeriesPerMetric = 256;

    /// <summary>The standard variable that turns on the OTLP exporters (metrics and traces).</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Adds telemetry for a service.</summary>
    /// <param name="builder">The service's builder.</param>
    /// <param name="serviceName">The resource's <c>service.name</c> ("chord-node", "gateway", "peer").</param>
    /// <param name="meters">Names of the service's own meters.</param>
    /// <param name="activitySources">Names of the service's own activity sources (spans it starts itself).</param>
    /// <param name="traced">Which incoming requests are traced (default: all but probes and <see cref="MetricsPath"/>);
    /// a service leaves out its own periodic background traffic here.</param>
    public static WebApplicationBuilder AddServiceTelemetry(this WebApplicationBuilder builder, string serviceName,
        IReadOnlyCollection<string> meters, IReadOnlyCollection<string>? activitySources = null, Func<HttpContext, bool>? traced = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var otlp = IsOtlpConfigured(builder.Configuration);

        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        // The trace id reaches a JSON log entry as a scope, so scopes are always on for that formatter.
        builder.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ";
        });

        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(serviceName));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                .AddMeter([.. meters])
                // The SDK allocates every metric's series table up front at its cardinality limit (2,000 by default:
                // about 3 MB of large-object heap per process over our ~30 metrics). No metric of ours has more than a
                // few dozen series (routes × methods × status codes at most); past the limit the SDK folds the rest
                // into one overflow series instead of dropping them.
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MaxSeriesPerMetric })
                .AddPrometheusExporter(prometheus =>
                {
                    // Every series names its service (service_name="chord-node", "gateway", "peer"), whatever the
                    // scraper's own labels: dashboards tell the gateway's /announce from a node's by it.
                    prometheus.ResourceConstantLabels = attribute => attribute == "service.name";
                    prometheus.ScopeInfoEnabled = false;
                });
            if (otlp) metrics.AddOtlpExporter();
        });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                // Every request from outside starts a trace; HTTP calls a service makes on its own (a timer's, with
                // no request behind it) do not, and neither do the requests they make elsewhere (left out by traced).
                .SetSampler(new ParentBasedSampler(new RootSampler()))
                .AddAspNetCoreInstrumentation(o => o.Filter = context => IsTraced(context, traced))
                .AddHttpClientInstrumentation()
                .AddSource([.. activitySources ?? []])
                .AddOtlpExporter());
        }
        return builder;
    }

    /// <summary>Maps <see cref="MetricsPath"/> (Prometheus text format; answers are cached briefly, so scraping is cheap).</summary>
    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint(MetricsPath);

    /// <summary>Whether the OTLP exporters are on: <see cref="OtlpEndpointKey"/> (or a signal's own endpoint) is set.</summary>
    public static bool IsOtlpConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey])
            || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"])
            || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]);
    }

    /// <summary>Probes and scrapes are never traced; the rest as the service says.</summary>
    public static bool IsTraced(HttpContext context, Func<HttpContext, bool>? traced = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path;
        return !path.StartsWithSegments(MetricsPath) && !path.StartsWithSegments("/healthz") && !path.StartsWithSegments("/readyz")
            && (traced is null || traced(context));
    }

    /// <summary>Whether the request continues a trace its sender started (it carries W3C trace context).</summary>
    public static bool ContinuesTrace(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Headers.ContainsKey("traceparent");
    }
}
