namespace BitTorrent.IntegrationTests.Transfer;

public class EngineCommandQueueTests
{
    [Fact]
    public async Task Commands_posted_from_many_threads_all_complete()
    {
        await using var kit = new TransferTestKit();
        var engine = kit.StartEngine("engine");

        // Many posters racing the loop's drain-and-rearm of its wake-up socket: none may be lost.
        var posters = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++) await engine.RestoreDownloadsAsync();
        }));
        var all = Task.WhenAll(posters);

        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(20))));
        await all;
    }

    [Fact]
    public async Task Commands_after_dispose_fail_instead_of_hanging()
    {
        await using var kit = new TransferTestKit();
        var engine = kit.StartEngine("engine");
        await kit.StopAsync(engine);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.RestoreDownloadsAsync());
    }
}
