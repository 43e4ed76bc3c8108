using System.Collections.Concurrent;
using System.Net;

namespace BitTorrent.IntegrationTests.Infrastructure;

/// <summary>
/// An OTLP/HTTP receiver of the test's own on 127.0.0.1: services export to <c>{Endpoint(label)}/v1/traces</c>
/// (protobuf), and every span received is kept with the label it came under, so a test tells which process
/// sent it. Metrics exports are accepted and dropped.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly Task _loop;
    private int _requests;

    public OtlpReceiver()
    {
        Port = ServiceProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>Export requests received so far (traces and metrics).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The endpoint to give a service as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; its spans are labelled <paramref name="label"/>.</summary>
    public string Endpoint(string label) => $"http://127.0.0.1:{Port}/{label}";

    /// <summary>The environment that makes a service export here, under <paramref name="label"/>, within a fraction of a second.</summary>
    public Dictionary<string, string> Environment(string label) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint(label),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "60000",
    };

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            Interlocked.Increment(ref _requests);
            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var path = context.Request.Url!.AbsolutePath.Trim('/');
                if (path.EndsWith("/v1/traces", StringComparison.Ordinal))
                {
                    var label = path[..path.IndexOf('/', StringComparison.Ordinal)];
                    foreach (var span in OtlpTraceReader.Read(body.ToArray())) _spans.Enqueue(span with { Label = label });
                }
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
            }
            catch (FormatException)
            {
                context.Response.StatusCode = 400;
            }
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}

/// <summary>A span as received: who sent it (the receiver's label and the resource's service.name) and its identity.</summary>
public sealed record ReceivedSpan(
    string Label,
    string Service,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<(string TraceId, string SpanId)> Links)
{
    public const int KindInternal = 1, KindServer = 2, KindClient = 3;

    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);

    public override string ToString() =>
        $"{Label} {Name} kind={Kind} trace={TraceId} span={SpanId} parent={ParentSpanId} links=[{string.Join(",", Links.Select(l => $"{l.TraceId}/{l.SpanId}"))}]";
}
