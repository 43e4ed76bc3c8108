using System.Diagnostics;
using BitTorrent.Shared.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;

namespace BitTorrent.UnitTests.Shared.Telemetry;

public sealed class ServiceTelemetryTests
{
    [Theory]
    [InlineData(ActivityKind.Server, true)]
    [InlineData(ActivityKind.Internal, true)]
    [InlineData(ActivityKind.Client, false)]
    public void A_trace_starts_at_a_request_from_outside_or_a_span_of_our_own_never_at_a_background_http_call(ActivityKind kind, bool recorded)
    {
        var parameters = new SamplingParameters(default, ActivityTraceId.CreateRandom(), "span", kind);
        var decision = new RootSampler().ShouldSample(parameters).Decision;
        Assert.Equal(recorded ? SamplingDecision.RecordAndSample : SamplingDecision.Drop, decision);
    }

    [Fact]
    public void A_background_call_inside_a_sampled_trace_follows_its_parent()
    {
        var sampler = new ParentBasedSampler(new RootSampler());
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: false);
        var parameters = new SamplingParameters(parent, parent.TraceId, "POST", ActivityKind.Client);
        Assert.Equal(SamplingDecision.RecordAndSample, sampler.ShouldSample(parameters).Decision);
    }

    [Theory]
    [InlineData("/metrics", false, false)]
    [InlineData("/healthz", false, false)]
    [InlineData("/readyz", false, false)]
    [InlineData("/announce", false, true)]
    [InlineData("/dht/merge", false, false)] // the service's own rule: ring RPC only within a trace
    [InlineData("/dht/merge", true, true)]
    public void Probes_and_scrapes_are_never_traced_and_the_rest_as_the_service_says(string path, bool withTraceContext, bool traced)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        if (withTraceContext) context.Request.Headers["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Assert.Equal(traced, ServiceTelemetry.IsTraced(context,
            c => !c.Request.Path.StartsWithSegments("/dht") || ServiceTelemetry.ContinuesTrace(c)));
    }

    [Fact]
    public void Otlp_is_on_only_when_an_endpoint_is_configured()
    {
        static IConfiguration Config(params (string, string)[] pairs) =>
            new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Item1, p.Item2))).Build();
        Assert.False(ServiceTelemetry.IsOtlpConfigured(Config()));
        Assert.False(ServiceTelemetry.IsOtlpConfigured(Config(("OTEL_EXPORTER_OTLP_ENDPOINT", " "))));
        Assert.True(ServiceTelemetry.IsOtlpConfigured(Config(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"))));
        Assert.True(ServiceTelemetry.IsOtlpConfigured(Config(("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces"))));
    }
}
