using System.Text;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Tracking;

namespace BitTorrent.UnitTests.Peer.Tracking;

public sealed class AnnounceIntervalTests
{
    private static AnnounceReply Parse(string bencoded) => SwarmAnnouncer.Parse(Encoding.ASCII.GetBytes(bencoded));

    [Fact]
    public void The_tracker_s_interval_is_read_from_its_answer()
    {
        var reply = Parse("d8:completei2e10:incompletei1e8:intervali30e5:peers0:e");
        Assert.Equal(TimeSpan.FromSeconds(30), reply.Interval);
        Assert.Equal(2, reply.Seeders);
        Assert.Equal(1, reply.Leechers);
    }

    [Theory]
    [InlineData("d5:peers0:e")] // none given
    [InlineData("d8:intervali0e5:peers0:e")] // zero
    [InlineData("d8:intervali-5e5:peers0:e")] // negative
    [InlineData("d8:intervali86401e5:peers0:e")] // over a day
    [InlineData("d8:interval2:305:peers0:e")] // not an integer
    public void An_interval_missing_or_out_of_bounds_is_ignored(string bencoded) => Assert.Null(Parse(bencoded).Interval);

    [Theory]
    [InlineData(20, null, 20)] // the tracker said nothing: the configured period
    [InlineData(20, 30, 20)] // the tracker asks for less often: the configured period (three quarters of 30 is 22.5)
    [InlineData(20, 26, 19.5)] // three quarters of its interval is shorter than the configured period
    [InlineData(20, 10, 7.5)]
    [InlineData(5, 4, 3)]
    public void The_library_is_announced_again_before_the_tracker_would_count_the_peer_gone(double configured, int? tracker, double expected) =>
        Assert.Equal(TimeSpan.FromSeconds(expected),
            SwarmSync.Period(TimeSpan.FromSeconds(configured), tracker is { } t ? TimeSpan.FromSeconds(t) : null));
}
