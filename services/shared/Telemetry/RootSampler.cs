using System.Diagnostics;
using OpenTelemetry.Trace;

namespace BitTorrent.Shared.Telemetry;

/// <summary>
/// Decides for spans that start a trace: a request from outside (a server span) or a span a service starts
/// itself (an internal one, such as a write-behind flush) is recorded; an HTTP call with no trace behind it
/// (a stabilize round, a membership refresh, a re-announce timer) is not, so periodic background traffic does
/// not bury the traces of requests. Spans with a parent follow their parent (<see cref="ParentBasedSampler"/>).
/// </summary>
public sealed class RootSampler : Sampler
{
    private static readonly SamplingResult Record = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client ? Drop : Record;
}
