using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.UnitTests.ChordNode.Storage;

public sealed class OwnerCacheTests
{
    private static Id160 Id(byte top) => new([top, .. new byte[19]]);
    private static NodeRef Node(byte top) => new(Id(top), $"http://node-{top}");

    [Fact]
    public void A_key_is_found_in_the_arc_that_holds_it_including_the_arc_that_wraps_past_zero()
    {
        var cache = new OwnerCache(TimeProvider.System, TimeSpan.FromMinutes(1));
        cache.Learn(Id(0x10), Node(0x40)); // (0x10, 0x40]
        cache.Learn(Id(0x40), Node(0x80)); // (0x40, 0x80]
        cache.Learn(Id(0xC0), Node(0x10)); // (0xC0, 0x10], wrapping

        Assert.Equal(Node(0x40), cache.Find(Id(0x20)));
        Assert.Equal(Node(0x40), cache.Find(Id(0x40)));
        Assert.Equal(Node(0x80), cache.Find(Id(0x41)));
        Assert.Equal(Node(0x10), cache.Find(Id(0xF0)));
        Assert.Equal(Node(0x10), cache.Find(Id(0x05)));
        Assert.Null(cache.Find(Id(0x90))); // (0x80, 0xC0] is unknown
    }

    [Fact]
    public void A_newer_arc_replaces_the_ones_it_overlaps_as_when_a_node_joins_inside_an_arc()
    {
        var cache = new OwnerCache(TimeProvider.System, TimeSpan.FromMinutes(1));
        cache.Learn(Id(0x10), Node(0x80));
        cache.Learn(Id(0x40), Node(0x80)); // a node joined at 0x40: 0x80 now owns only (0x40, 0x80]
        Assert.Null(cache.Find(Id(0x20)));
        Assert.Equal(Node(0x80), cache.Find(Id(0x50)));

        cache.Learn(Id(0x10), Node(0x40));
        Assert.Equal(Node(0x40), cache.Find(Id(0x20)));
        cache.Forget(Node(0x40));
        Assert.Null(cache.Find(Id(0x20)));
    }

    [Fact]
    public void Entries_expire()
    {
        var time = new StepTime();
        var cache = new OwnerCache(time, TimeSpan.FromSeconds(5));
        cache.Learn(Id(0x10), Node(0x40));
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Null(cache.Find(Id(0x20)));
    }

    private sealed class StepTime : TimeProvider
    {
        private long _ticks;
        public void Advance(TimeSpan by) => _ticks += (long)(by.TotalSeconds * TimestampFrequency);
        public override long GetTimestamp() => _ticks;
    }
}
