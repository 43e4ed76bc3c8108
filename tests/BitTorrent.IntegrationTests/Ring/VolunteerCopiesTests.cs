using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Bencode;
using BitTorrent.Shared.Contracts;
using BitTorrent.Shared.Contracts.Tracker;
using Refit;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Ring;

/// <summary>
/// Files that stay available, the ring's side: a file published with a target of copies is handed to volunteers through three
/// real chord nodes (any node answers, the claims live at their keys' primaries), and surplus copies are dropped after the grace.
/// </summary>
[Collection(Alone.Name)]
[Trait(Alone.Trait, Alone.Value)]
public sealed class VolunteerCopiesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Volunteers_fetch_the_missing_copies_claims_stop_a_third_and_surplus_copies_are_dropped_after_the_grace()
    {
        await using var ring = new ChordRing(output, new Dictionary<string, string>
        {
            ["Tracker__VolunteerPollInterval"] = "00:00:01",
            ["Tracker__VolunteerLease"] = "00:00:20",
            ["Tracker__VolunteerDropGrace"] = "00:00:03",
        });
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var apis = ring.Nodes.Select(n => RestService.For<ITrackerApi>(new HttpClient { BaseAddress = new Uri(n.Url) })).ToArray();

        var publisher = await apis[0].RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7101, "http://127.0.0.1:8101"));
        var first = await apis[1].RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7102, "http://127.0.0.1:8102"));
        var second = await apis[2].RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7103, "http://127.0.0.1:8103"));
        var third = await apis[0].RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7104, "http://127.0.0.1:8104"));

        using var torrent = new ByteArrayContent(TrackerClient.Torrent("kept.iso", 300_000)) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-bittorrent") } };
        var published = await apis[0].PublishWithCopiesAsync(torrent, 3, publisher.Token);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var infoHash = published.Content!.InfoHash;
        await AnnounceSeederAsync(http, ring.Nodes[1], infoHash, "-DD0001-publisher000", 7101);
        Assert.Equal(3, (await apis[2].GetFilesAsync("kept")).Single().Copies);

        // Two copies are missing: two volunteers, asking different nodes, each get one; the third finds them claimed.
        Assert.Equal(infoHash, Assert.Single(await TasksAsync(apis[1], first, 1_000_000)).InfoHash);
        Assert.Equal(infoHash, Assert.Single(await TasksAsync(apis[2], second, 1_000_000)).InfoHash);
        Assert.Empty(await TasksAsync(apis[0], third, 1_000_000));
        Assert.Empty(await TasksAsync(apis[1], first, 1_000_000, fetching: [infoHash]));

        // They finish and announce as seeders: the target is met, nobody fetches.
        await AnnounceSeederAsync(http, ring.Nodes[2], infoHash, "-DD0001-firstvolunte", 7102);
        await AnnounceSeederAsync(http, ring.Nodes[0], infoHash, "-DD0001-secondvolunt", 7103);
        Assert.Empty(await TasksAsync(apis[0], third, 1_000_000));
        Assert.Empty(await TasksAsync(apis[1], first, 1_000_000, held: [infoHash]));
        // The catalog shows the three seeders once its node's count cache (Tracker:CountCacheDuration) has passed.
        await Eventually.TrueAsync(async () => (await apis[1].GetFilesAsync("kept")).Single() is { Seeders: 3, Copies: 3 },
            TimeSpan.FromSeconds(10), "the catalog never showed 3 of 3 copies");

        // Raised to four: the third volunteer is asked now.
        Assert.Equal(HttpStatusCode.NoContent, (await apis[2].SetCopiesAsync(infoHash, new CopiesRequest(4), publisher.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await apis[2].SetCopiesAsync(infoHash, new CopiesRequest(1), third.Token)).StatusCode);
        Assert.Equal(VolunteerAction.Fetch, Assert.Single(await TasksAsync(apis[0], third, 1_000_000)).Action);
        await AnnounceSeederAsync(http, ring.Nodes[1], infoHash, "-DD0001-thirdvolunte", 7104);

        // Lowered to two: after the grace, the two volunteers with the least room drop theirs; the roomiest keeps its copy.
        Assert.Equal(HttpStatusCode.NoContent, (await apis[0].SetCopiesAsync(infoHash, new CopiesRequest(2), publisher.Token)).StatusCode);
        var lowered = Stopwatch.StartNew();
        var room = new Dictionary<long, long> { [first.PeerId] = 1_000, [second.PeerId] = 2_000, [third.PeerId] = 3_000 };
        var dropped = new Dictionary<long, TimeSpan>();
        while (dropped.Count < 2 && lowered.Elapsed < TimeSpan.FromSeconds(30))
        {
            var node = 0;
            foreach (var volunteer in new[] { third, second, first })
            {
                var tasks = await TasksAsync(apis[node++ % 3], volunteer, room[volunteer.PeerId], held: [infoHash]);
                if (tasks.Any(t => t.Action == VolunteerAction.Drop && t.InfoHash == infoHash)) dropped.TryAdd(volunteer.PeerId, lowered.Elapsed);
            }
            await Task.Delay(500);
        }
        output.WriteLine($"drops after {string.Join(", ", dropped.Select(d => $"{d.Key}: {d.Value.TotalSeconds:F1} s"))}");
        Assert.Equal(new[] { first.PeerId, second.PeerId }.Order(), dropped.Keys.Order());
        Assert.All(dropped.Values, after => Assert.True(after >= Grace, $"dropped after {after.TotalSeconds:F1} s, before the grace"));
    }

    private static async Task<IReadOnlyList<VolunteerTask>> TasksAsync(ITrackerApi api, RegisteredPeer volunteer, long freeBytes,
        string[]? held = null, string[]? fetching = null)
    {
        var response = await api.GetVolunteerAssignmentAsync(volunteer.PeerId, new VolunteerReport(freeBytes, 2, held ?? [], fetching ?? []), volunteer.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, response.Content!.PollAfterSeconds);
        return response.Content.Tasks;
    }

    /// <summary>A seeder's announce from 127.0.0.1, as a peer's own announcer sends it.</summary>
    private static async Task AnnounceSeederAsync(HttpClient http, ServiceProcess node, string infoHash, string peerId, int port)
    {
        var escaped = string.Concat(Enumerable.Range(0, 20).Select(i => "%" + infoHash.Substring(i * 2, 2)));
        var bytes = await http.GetByteArrayAsync($"{node.Url}/announce?info_hash={escaped}&peer_id={peerId}&port={port}&uploaded=0&downloaded=0&left=0&compact=1&event=completed");
        var reply = (BDictionary)BencodeReader.Decode(bytes);
        Assert.False(reply.ContainsKey("failure reason"), reply.Get<BString>("failure reason")?.Text);
    }
}
