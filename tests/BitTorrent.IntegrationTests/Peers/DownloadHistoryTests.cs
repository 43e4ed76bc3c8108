using System.Net;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Peers;

public sealed class DownloadHistoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_download_history_lists_the_newest_first_and_is_kept_across_a_restart()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var seeder = await PeerProcess.StartAsync(ring, folder.Sub("seeder"));
        var names = new[] { "first.bin", "second.bin", "third.bin" };
        var published = new List<string>();
        for (var i = 0; i < names.Length; i++)
            published.Add((await seeder.PublishAsync(folder.RandomFile(names[i], 40_000 + i, seed: 50 + i))).InfoHash);

        await using var leecher = await PeerProcess.StartAsync(ring, folder.Sub("leecher"));
        foreach (var infoHash in published)
        {
            using (var start = await leecher.StartDownloadAsync(infoHash))
                Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            await leecher.WaitForStateAsync(infoHash, "completed", TimeSpan.FromSeconds(30));
            await Task.Delay(20); // distinct start times
        }
        var newestFirst = names.Reverse().ToArray();
        Assert.Equal(newestFirst, await HistoryAsync(leecher));

        await leecher.RestartAsync(ring);
        Assert.Equal(newestFirst, await HistoryAsync(leecher));
    }

    private static async Task<string[]> HistoryAsync(PeerProcess peer) =>
        [.. (await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<BitTorrent.Peer.Api.DownloadView[]>(peer.Http, "api/downloads", ChordRing.Json))!.Select(d => d.Name)];
}
