using System.Buffers;
using System.Text;
using BitTorrent.Shared.Tracker;
using CsCheck;

namespace BitTorrent.UnitTests.Shared.Tracker;

public sealed class TrackerBatchFormatTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Written_items_read_back_the_same()
    {
        var items = Gen.Select(Gen.Int[1, 2], Gen.String[Gen.Char.AlphaNumeric, 0, 45], Gen.Bool, Gen.String[0, 2000])
            .Select((kind, client, traced, query) => new TrackerBatchItem((TrackerRequestKind)kind, client, traced ? TraceParent : null, query))
            .Array[1, 40];
        items.Sample(batch =>
        {
            var body = Write(batch);
            var read = new List<TrackerBatchItem>();
            Assert.True(TrackerBatchFormat.TryReadItems(body, read, out var error), error);
            Assert.Equal(batch, read);
        }, iter: 500, seed: BitTorrent.UnitTests.Shared.Fuzzing.FuzzCorpus.Seed, threads: 1);
    }

    [Fact]
    public void A_query_with_text_beyond_ascii_keeps_every_character()
    {
        var item = new TrackerBatchItem(TrackerRequestKind.Scrape, "::1", null, "?info_hash=%00%ff&name=żółw\U0001F422");
        var read = new List<TrackerBatchItem>();
        Assert.True(TrackerBatchFormat.TryReadItems(Write([item]), read, out _));
        Assert.Equal(item, Assert.Single(read));
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "empty", [], "at least one item" },
        { "unknown kind", [3, 0, 0, 0, 0], "unknown kind" },
        { "client cut short", [1, 9, (byte)'1', (byte)'2'], "bad client address" },
        { "no traceparent length", [1, 1, (byte)'x'], "bad traceparent" },
        { "query cut short", [1, 1, (byte)'x', 0, 0, 10, (byte)'?'], "bad query" },
        { "query not UTF-8", [1, 1, (byte)'x', 0, 0, 2, 0xc3, 0x28], "bad query" },
        { "client not ASCII", [1, 1, 0xe9, 0, 0, 0], "bad client address" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_body_is_refused_with_what_is_wrong(string what, byte[] body, string reason)
    {
        Assert.False(TrackerBatchFormat.TryReadItems(body, [], out var error), what);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_holds_at_most_its_limit_of_items()
    {
        var item = new TrackerBatchItem(TrackerRequestKind.Announce, "127.0.0.1", null, "?a=1");
        var read = new List<TrackerBatchItem>();
        Assert.True(TrackerBatchFormat.TryReadItems(Write(Enumerable.Repeat(item, TrackerBatchFormat.MaxItems).ToArray()), read, out _));
        Assert.Equal(TrackerBatchFormat.MaxItems, read.Count);
        Assert.False(TrackerBatchFormat.TryReadItems(Write(Enumerable.Repeat(item, TrackerBatchFormat.MaxItems + 1).ToArray()), read, out var error));
        Assert.Contains("at most", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_too_long_for_the_format_is_not_written()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.False(TrackerBatchFormat.TryWriteItem(output, new TrackerBatchItem(TrackerRequestKind.Announce, new string('1', 256), null, "")));
        Assert.False(TrackerBatchFormat.TryWriteItem(output, new TrackerBatchItem(TrackerRequestKind.Announce, "1", null, new string('q', 65536))));
        Assert.False(TrackerBatchFormat.TryWriteItem(output, new TrackerBatchItem(TrackerRequestKind.Announce, "é", null, "")));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Answers_split_back_into_exactly_one_per_item()
    {
        var output = new ArrayBufferWriter<byte>();
        byte[][] bodies = [Encoding.ASCII.GetBytes("d8:intervali30ee"), [], Encoding.ASCII.GetBytes("d14:failure reason3:nope")];
        foreach (var body in bodies) TrackerBatchFormat.WriteAnswer(output, body);
        var reply = output.WrittenMemory;

        var answers = new ReadOnlyMemory<byte>[3];
        Assert.True(TrackerBatchFormat.TryReadAnswers(reply, answers));
        Assert.Equal(bodies, answers.Select(a => a.ToArray()));
        // One answer too few or too many, or a reply cut short, is not a reply to this batch.
        Assert.False(TrackerBatchFormat.TryReadAnswers(reply, new ReadOnlyMemory<byte>[2]));
        Assert.False(TrackerBatchFormat.TryReadAnswers(reply, new ReadOnlyMemory<byte>[4]));
        Assert.False(TrackerBatchFormat.TryReadAnswers(reply[..^1], new ReadOnlyMemory<byte>[3]));
    }

    internal static byte[] Write(IEnumerable<TrackerBatchItem> items)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var item in items) Assert.True(TrackerBatchFormat.TryWriteItem(output, item));
        return output.WrittenSpan.ToArray();
    }
}
