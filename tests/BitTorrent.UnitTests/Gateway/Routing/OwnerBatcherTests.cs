using System.Buffers;
using System.Net;
using System.Text;
using BitTorrent.Gateway.Routing;
using BitTorrent.Shared.Tracker;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;

namespace BitTorrent.UnitTests.Gateway.Routing;

public sealed class OwnerBatcherTests
{
    [Fact]
    public async Task A_request_to_an_idle_node_goes_at_once_alone_and_gets_its_own_answer()
    {
        var node = new ScriptedNode();
        var batcher = node.Batcher();

        var answer = await batcher.SendAsync(Item("?q=1"));

        Assert.Equal(BatchOutcome.Answered, answer.Outcome);
        Assert.Equal("answer to ?q=1 from 203.0.113.7", Encoding.UTF8.GetString(answer.Body.Span));
        Assert.Equal([1], node.BatchSizes);
    }

    [Fact]
    public async Task Requests_that_arrive_while_batches_are_out_travel_together_in_the_next_and_each_gets_its_own_answer()
    {
        var node = new ScriptedNode { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var batcher = node.Batcher();

        // As many lone requests as may be out at once: each goes at once, and both wait at the node.
        var early = Enumerable.Range(0, OwnerBatcher.MaxInFlight).Select(i => batcher.SendAsync(Item($"?early={i}"))).ToList();
        await node.WaitForBatchesAsync(OwnerBatcher.MaxInFlight);
        var queued = Enumerable.Range(0, 5).Select(i => batcher.SendAsync(Item($"?queued={i}"))).ToList();
        Assert.Equal(OwnerBatcher.MaxInFlight, node.BatchSizes.Count); // nothing more went while both were out

        node.Gate.SetResult();
        var answers = await Task.WhenAll(early.Concat(queued));

        Assert.Equal([.. Enumerable.Repeat(1, OwnerBatcher.MaxInFlight), 5], node.BatchSizes);
        Assert.All(answers, a => Assert.Equal(BatchOutcome.Answered, a.Outcome));
        Assert.Equal(
            [.. Enumerable.Range(0, OwnerBatcher.MaxInFlight).Select(i => $"answer to ?early={i} from 203.0.113.7"), .. Enumerable.Range(0, 5).Select(i => $"answer to ?queued={i} from 203.0.113.7")],
            answers.Select(a => Encoding.UTF8.GetString(a.Body.Span)));
    }

    [Fact]
    public async Task A_node_that_refuses_batches_is_marked_so_for_a_while_and_its_requests_are_told_to_go_alone()
    {
        var time = new ManualTimeProvider();
        var node = new ScriptedNode { Status = HttpStatusCode.Forbidden };
        var batcher = node.Batcher(time);

        var answer = await batcher.SendAsync(Item("?q=1"));

        Assert.Equal(BatchOutcome.Refused, answer.Outcome);
        Assert.True(batcher.Refused);
        time.Advance(OwnerBatcher.RefusalHold);
        Assert.False(batcher.Refused); // tried again later: the node may trust the gateway by now
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, BatchOutcome.Unavailable)]
    [InlineData(HttpStatusCode.BadGateway, BatchOutcome.Unavailable)]
    [InlineData(HttpStatusCode.InternalServerError, BatchOutcome.Unreachable)]
    public async Task A_batch_the_node_could_not_serve_sends_every_request_on(HttpStatusCode status, BatchOutcome outcome)
    {
        var node = new ScriptedNode { Status = status };

        var answer = await node.Batcher().SendAsync(Item("?q=1"));

        Assert.Equal(outcome, answer.Outcome);
    }

    [Fact]
    public async Task An_unreachable_node_or_a_malformed_reply_is_unreachable_and_the_next_request_still_goes()
    {
        var node = new ScriptedNode { Fail = new HttpRequestException("connection refused") };
        var batcher = node.Batcher();
        Assert.Equal(BatchOutcome.Unreachable, (await batcher.SendAsync(Item("?q=1"))).Outcome);

        node.Fail = null;
        node.Truncate = true;
        Assert.Equal(BatchOutcome.Unreachable, (await batcher.SendAsync(Item("?q=2"))).Outcome);

        node.Truncate = false;
        Assert.Equal(BatchOutcome.Answered, (await batcher.SendAsync(Item("?q=3"))).Outcome);
    }

    private static TrackerBatchItem Item(string query) => new(TrackerRequestKind.Announce, "203.0.113.7", null, query);

    /// <summary>A chord node's batch endpoint as a handler: answers each item with its query and client, or as scripted.</summary>
    private sealed class ScriptedNode : HttpMessageHandler
    {
        private readonly Lock _gate = new();
        private readonly List<int> _sizes = [];

        public TaskCompletionSource? Gate { get; init; }
        public HttpStatusCode Status { get; init; } = HttpStatusCode.OK;
        public Exception? Fail { get; set; }
        public bool Truncate { get; set; }

        public List<int> BatchSizes
        {
            get { lock (_gate) return [.. _sizes]; }
        }

        public OwnerBatcher Batcher(TimeProvider? time = null) =>
            new("http://127.0.0.1:5101", new HttpMessageInvoker(this), time ?? TimeProvider.System, NullLogger.Instance);

        public async Task WaitForBatchesAsync(int count)
        {
            for (var i = 0; i < 500 && BatchSizes.Count < count; i++) await Task.Delay(10);
            Assert.Equal(count, BatchSizes.Count);
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal(HttpMethod.Post, request.Method);
            Assert.Equal("http://127.0.0.1:5101/tracker/batch", request.RequestUri!.ToString());
            Assert.Equal(TrackerBatchFormat.MediaType, request.Content!.Headers.ContentType?.MediaType);
            var items = new List<TrackerBatchItem>();
            Assert.True(TrackerBatchFormat.TryReadItems(await request.Content.ReadAsByteArrayAsync(cancellationToken), items, out var error), error);
            lock (_gate) _sizes.Add(items.Count);
            if (Gate is not null) await Gate.Task;
            if (Fail is not null) throw Fail;
            if (Status != HttpStatusCode.OK) return new HttpResponseMessage(Status);
            var output = new ArrayBufferWriter<byte>();
            foreach (var item in items) TrackerBatchFormat.WriteAnswer(output, Encoding.UTF8.GetBytes($"answer to {item.Query} from {item.Client}"));
            var body = output.WrittenSpan.ToArray();
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Truncate ? body[..^1] : body) };
        }
    }
}
