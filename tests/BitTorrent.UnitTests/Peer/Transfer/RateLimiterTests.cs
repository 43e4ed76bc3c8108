using BitTorrent.Peer.Transfer;

namespace BitTorrent.UnitTests.Peer.Transfer;

public class RateLimiterTests
{
    private const int Block = 16 * 1024;

    [Fact]
    public void Over_a_simulated_second_no_more_than_the_rate_goes_out()
    {
        var limiter = new RateLimiter(bytesPerSecond: 1024 * 1024);
        limiter.Refill(now: 0);
        long sent = 0;
        for (long now = 0; now <= 1000; now += 10) // the engine refills every round; rounds every 10 ms here
        {
            limiter.Refill(now);
            while (limiter.CanSend(Block))
            {
                limiter.Take(Block);
                sent += Block;
            }
        }
        // One second earns 1 MiB; the bucket never held more than a fifth of a second to begin with.
        Assert.InRange(sent, 1024 * 1024 - Block, 1024 * 1024 + Block);
    }

    [Fact]
    public void An_idle_bucket_holds_at_most_a_fifth_of_a_second_of_bytes()
    {
        var limiter = new RateLimiter(bytesPerSecond: 10 * Block * 5);
        limiter.Refill(now: 0);
        limiter.Refill(now: 60_000); // a minute idle

        var burst = 0;
        while (limiter.CanSend(Block))
        {
            limiter.Take(Block);
            burst++;
        }
        Assert.Equal(10, burst);
    }

    [Fact]
    public void A_rate_of_zero_is_unlimited()
    {
        var limiter = new RateLimiter(bytesPerSecond: 0);
        limiter.Refill(now: 0);
        for (var i = 0; i < 100_000; i++) limiter.Take(Block);

        Assert.False(limiter.IsLimited);
        Assert.True(limiter.CanSend(Block));
    }

    [Fact]
    public void A_rate_changed_at_run_time_holds_from_then_on_without_a_burst_from_the_old_rate()
    {
        var limiter = new RateLimiter(bytesPerSecond: 8 * 1024 * 1024);
        limiter.Refill(now: 0);
        limiter.Refill(now: 1000); // a full bucket at 8 MiB/s

        limiter.BytesPerSecond = 1024 * 1024;
        long sent = 0;
        for (long now = 1000; now <= 2000; now += 10)
        {
            limiter.Refill(now);
            while (limiter.CanSend(Block))
            {
                limiter.Take(Block);
                sent += Block;
            }
        }

        Assert.InRange(sent, 1024 * 1024 - Block, 1024 * 1024 + Block);
    }

    [Fact]
    public void A_limit_set_to_zero_lifts_it()
    {
        var limiter = new RateLimiter(bytesPerSecond: 1024);
        limiter.Refill(now: 0);
        Assert.False(limiter.CanSend(Block));

        limiter.BytesPerSecond = 0;

        Assert.True(limiter.CanSend(Block));
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.BytesPerSecond = -1);
    }
}
