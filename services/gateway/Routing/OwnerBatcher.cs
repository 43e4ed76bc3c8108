using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using BitTorrent.Gateway.Telemetry;
using BitTorrent.Shared.Tracker;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// The announces and scrapes on their way to one chord node. A request that finds fewer than
/// <see cref="MaxInFlight"/> batches out goes at once, alone; requests that arrive while they are out queue, and
/// the next batch carries all of them (<c>POST /tracker/batch</c>, <see cref="TrackerBatchFormat"/>). An idle
/// gateway therefore adds no delay, and a busy one sends fewer, larger requests instead of more of them: under
/// load most of an announce's cost on both sides is per request, not per announce.
/// </summary>
public sealed partial class OwnerBatcher(string nodeUrl, HttpMessageInvoker invoker, TimeProvider time, ILogger logger)
{
    /// <summary>Batches out to one node at once: a second lets a batch go while one item of the first waits on the ring.</summary>
    public const int MaxInFlight = 2;

    /// <summary>How long a node that refused batches is sent single requests before batches are tried again.</summary>
    public static readonly TimeSpan RefusalHold = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(10);
    private static readonly MediaTypeHeaderValue BatchMediaType = new(TrackerBatchFormat.MediaType);

    private readonly string _batchUrl = nodeUrl.TrimEnd('/') + TrackerBatchFormat.Path;
    private readonly Lock _gate = new();
    private List<Waiting> _queue = [];
    private int _inFlight;
    private long _refusedAt = long.MinValue;

    /// <summary>Whether this node refused a batch lately, so its requests go one by one.</summary>
    public bool Refused
    {
        get
        {
            var at = Interlocked.Read(ref _refusedAt);
            return at != long.MinValue && time.GetElapsedTime(at) < RefusalHold;
        }
    }

    /// <summary>Queues one request for the node's next batch; the task ends with its answer (it never faults).</summary>
    public Task<BatchAnswer> SendAsync(TrackerBatchItem item)
    {
        var waiting = new Waiting(item);
        bool start;
        lock (_gate)
        {
            _queue.Add(waiting);
            start = _inFlight < MaxInFlight;
            if (start) _inFlight++;
        }
        if (start) _ = DrainAsync();
        return waiting.Answer.Task;
    }

    /// <summary>Sends batches while requests are queued; one of at most <see cref="MaxInFlight"/> such loops.</summary>
    private async Task DrainAsync()
    {
        // A batch belongs to no one request: each item carries its own trace context instead.
        Activity.Current = null;
        while (true)
        {
            List<Waiting> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _inFlight--;
                    return;
                }
                if (_queue.Count <= TrackerBatchFormat.MaxItems) (batch, _queue) = (_queue, []);
                else
                {
                    batch = _queue.GetRange(0, TrackerBatchFormat.MaxItems);
                    _queue.RemoveRange(0, TrackerBatchFormat.MaxItems);
                }
            }
            try
            {
                await SendBatchAsync(batch).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Not expected (SendBatchAsync answers every failure it knows): log it, and answer what is left.
                LogBatchFailed(logger, nodeUrl, e);
                foreach (var waiting in batch) waiting.Answer.TrySetResult(new BatchAnswer(BatchOutcome.Unreachable, Reason: e.Message));
            }
        }
    }

    private async Task SendBatchAsync(List<Waiting> batch)
    {
        var body = new ArrayBufferWriter<byte>(batch.Count * 192);
        var sent = new List<Waiting>(batch.Count);
        foreach (var waiting in batch)
        {
            // A field too long for the format cannot occur from a request Kestrel accepted; such an item goes alone.
            if (TrackerBatchFormat.TryWriteItem(body, waiting.Item)) sent.Add(waiting);
            else waiting.Answer.TrySetResult(new BatchAnswer(BatchOutcome.Refused, Reason: "too long for a batch"));
        }
        if (sent.Count == 0) return;

        using var request = new HttpRequestMessage(HttpMethod.Post, _batchUrl)
        {
            Version = HttpVersion.Version11,
            Content = new ReadOnlyMemoryContent(body.WrittenMemory),
        };
        request.Content.Headers.ContentType = BatchMediaType;
        using var timeout = new CancellationTokenSource(BatchTimeout, time);
        BatchAnswer failure;
        try
        {
            using var response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK when response.Content.Headers.ContentLength is { } length and <= TrackerBatchFormat.MaxReplyBytes:
                    var reply = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                    var answers = new ReadOnlyMemory<byte>[sent.Count];
                    if (reply.Length == length && TrackerBatchFormat.TryReadAnswers(reply, answers))
                    {
                        for (var i = 0; i < sent.Count; i++) sent[i].Answer.TrySetResult(new BatchAnswer(BatchOutcome.Answered, answers[i]));
                        GatewayTelemetry.TrackerBatchSize.Record(sent.Count);
                        return;
                    }
                    failure = new BatchAnswer(BatchOutcome.Unreachable, Reason: "a malformed batch reply");
                    LogMalformedReply(logger, nodeUrl);
                    break;
                case HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed:
                    if (!Refused) LogBatchesRefused(logger, nodeUrl, (int)response.StatusCode);
                    Interlocked.Exchange(ref _refusedAt, time.GetTimestamp());
                    failure = new BatchAnswer(BatchOutcome.Refused, Reason: $"HTTP {(int)response.StatusCode}");
                    break;
                case HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable:
                    failure = new BatchAnswer(BatchOutcome.Unavailable, Reason: ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    failure = new BatchAnswer(BatchOutcome.Unreachable, Reason: $"HTTP {(int)response.StatusCode}");
                    break;
            }
        }
        catch (HttpRequestException e)
        {
            failure = new BatchAnswer(BatchOutcome.Unreachable, Reason: e.Message);
        }
        catch (OperationCanceledException)
        {
            failure = new BatchAnswer(BatchOutcome.Unreachable, Reason: "timed out");
        }
        foreach (var waiting in sent) waiting.Answer.TrySetResult(failure);
    }

    /// <summary>A queued request and the answer its caller awaits (continued on the thread pool, not on the batch's loop).</summary>
    private sealed class Waiting(TrackerBatchItem item)
    {
        public TrackerBatchItem Item { get; } = item;

        public TaskCompletionSource<BatchAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Chord node {Node} refused a batch of tracker requests (HTTP {Status}); sending it single requests for a while. Is the gateway in its Tracker:TrustedProxies?")]
    private static partial void LogBatchesRefused(ILogger logger, string node, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chord node {Node} sent a malformed batch reply")]
    private static partial void LogMalformedReply(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of tracker requests to {Node} failed unexpectedly")]
    private static partial void LogBatchFailed(ILogger logger, string node, Exception exception);
}
