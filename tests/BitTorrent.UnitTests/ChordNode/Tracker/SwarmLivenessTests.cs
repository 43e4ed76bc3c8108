using BitTorrent.ChordNode.Storage;
using BitTorrent.ChordNode.Tracker;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

public sealed class SwarmLivenessTests
{
    [Theory]
    [InlineData(30, 37.5)] // a quarter of the interval
    [InlineData(120, 150)]
    [InlineData(20, 25)]
    [InlineData(4, 9)] // never less than 5 s of slack
    [InlineData(1, 6)]
    public void The_online_window_is_the_announce_interval_and_a_quarter_but_at_least_five_seconds_more(int intervalSeconds, double windowSeconds)
    {
        var options = new TrackerOptions { AnnounceInterval = TimeSpan.FromSeconds(intervalSeconds) };

        Assert.Equal(TimeSpan.FromSeconds(windowSeconds), SwarmLiveness.Window(options));
    }

    [Fact]
    public void An_entry_is_online_up_to_the_edge_of_the_window_after_its_last_write_whatever_its_expiry()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var liveness = SwarmLiveness.At(now, new TrackerOptions());
        SetMember WrittenAgo(double seconds) => new("peer", "{}", (now - TimeSpan.FromSeconds(seconds)).ToUnixTimeMilliseconds(),
            (now + TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds());

        Assert.True(liveness.IsOnline(WrittenAgo(0)));
        Assert.True(liveness.IsOnline(WrittenAgo(37.5)));
        Assert.False(liveness.IsOnline(WrittenAgo(37.501)));
        Assert.True(liveness.IsOnline(WrittenAgo(-2))); // a primary's clock a little ahead: online
    }
}
