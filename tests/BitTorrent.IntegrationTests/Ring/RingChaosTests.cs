using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using BitTorrent.ChordNode.Storage;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Ring;

/// <summary>
/// Chaos on a durable ring: eight nodes with persistence under a steady load of publishes, announces and
/// peer registrations, while nodes are killed with SIGKILL, restarted from their data and added, never more
/// than r − 1 down at once. Bounded: about a minute of chaos (at most two and a half on a slow machine), the whole test within a few minutes.
/// </summary>
public sealed class RingChaosTests(ITestOutputHelper output)
{
    private const int Replicas = 3;
    private const int StartNodes = 8;
    private const int MaxNodes = 11;
    private static readonly TimeSpan ChaosFor = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ChaosAtMost = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Under_kills_restarts_and_joins_every_acknowledged_write_survives_no_id_repeats_replicas_converge_and_the_ring_is_one()
    {
        using var data = new TempFolder();
        await using var ring = new ChordRing(output, dataRoot: data.Path);
        await ring.StartAsync(StartNodes);
        await ring.WaitConvergedAsync(TimeSpan.FromSeconds(60));
        var tracker = new TrackerClient(ring.Http);
        var clock = Stopwatch.StartNew();
        var random = new Random(20261130);
        void Say(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {what}");

        var published = new ConcurrentDictionary<string, byte[]>();
        var peers = new ConcurrentBag<PeerInfo>();
        long announced = 0, refused = 0;
        using var stop = new CancellationTokenSource();
        ServiceProcess AnyLive() { var live = ring.Live.ToList(); return live[Random.Shared.Next(live.Count)]; }

        async Task Loop(Func<int, Task> step)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    await step(i);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    // Not acknowledged (its node died, or the ring was repairing): nothing is claimed for it.
                    Interlocked.Increment(ref refused);
                }
                await Task.Delay(50, CancellationToken.None);
            }
        }
        var load = new List<Task>
        {
            Task.Run(() => Loop(async i =>
            {
                var bytes = TrackerClient.Torrent($"chaos-{i}.bin", 1000 + i);
                published[(await tracker.PublishAsync(AnyLive(), bytes, stop.Token)).InfoHash] = bytes;
            })),
            Task.Run(() => Loop(async i => peers.Add(await tracker.RegisterAsync(AnyLive(), 7000 + i % 999, stop.Token)))),
        };
        for (var a = 0; a < 2; a++)
        {
            load.Add(Task.Run(() => Loop(async i =>
            {
                var hashes = published.Keys.ToList();
                if (hashes.Count == 0) return;
                var hash = Id160.Parse(hashes[i % hashes.Count]);
                var url = $"{AnyLive().Url}/announce?info_hash={string.Concat(hash.ToByteArray().Select(b => $"%{b:x2}"))}" +
                          $"&peer_id=-DD0001-{i % 1000:D12}&port={7000 + i % 1000}&uploaded=0&downloaded=0&left=0&compact=1";
                using var response = await ring.Http.GetAsync(url, stop.Token);
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref announced);
            })));
        }

        // The chaos: one action every 2-4 s, never more than Replicas - 1 nodes down.
        var down = new List<ServiceProcess>();
        int kills = 0, restarts = 0, joins = 0;
        // A loaded machine makes each join slow: the chaos goes on past its minute (up to ChaosAtMost) until it has
        // killed and restarted at least twice.
        while (clock.Elapsed < ChaosFor || (kills < 2 || restarts < 2) && clock.Elapsed < ChaosAtMost)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(2000, 4000)));
            var roll = random.NextDouble();
            if (down.Count < Replicas - 1 && roll < 0.45)
            {
                var victim = ring.Live.ElementAt(random.Next(ring.Live.Count()));
                victim.Kill();
                down.Add(victim);
                kills++;
                Say($"SIGKILL {victim.Url} ({down.Count} down)");
            }
            else if (down.Count > 0 && roll < 0.85)
            {
                var back = down[random.Next(down.Count)];
                var node = await ring.RestartAsync(back);
                down.Remove(back);
                restarts++;
                Say($"restarted {node.Url} from its data ({down.Count} down)");
            }
            else if (ring.Live.Count() + down.Count < MaxNodes)
            {
                var node = ring.StartNode();
                await ring.WaitReadyAsync(node);
                joins++;
                Say($"added {node.Url}");
            }
        }
        foreach (var back in down.ToList())
        {
            await ring.RestartAsync(back);
            restarts++;
            Say($"restarted {back.Url} after the chaos");
        }
        await stop.CancelAsync();
        await Task.WhenAll(load);
        Say($"load stopped: {published.Count} publishes and {peers.Count} peer ids acknowledged, {announced} announces answered, {refused} requests refused while nodes were down");

        // The ring is one ring: every member's successor is the next one and its predecessor points back.
        await ring.WaitConvergedAsync(TimeSpan.FromSeconds(60));
        var live = ring.Live.ToList();
        Say($"ring converged: {live.Count} members, each successor's predecessor points back");

        // Every acknowledged publish is in the catalog with its .torrent. A node restarted moments ago may still be
        // taking in, by anti-entropy, catalog members that a neighbour accepted for it while it was away or joining,
        // so the catalog is read until it holds them all (bounded): an acknowledged write that is lost never appears.
        var missing = published.Count;
        await Eventually.TrueAsync(async () =>
        {
            var catalog = (await tracker.CatalogAsync(live[0])).Select(f => f.InfoHash).ToHashSet();
            var now = published.Keys.Count(h => !catalog.Contains(h));
            if (now != missing) Say($"catalog lists {published.Count - now} of {published.Count} acknowledged publishes");
            missing = now;
            return now == 0;
        }, TimeSpan.FromSeconds(60), "an acknowledged publish is missing from the catalog");
        foreach (var (infoHash, bytes) in published)
            Assert.Equal(bytes, await tracker.TorrentAsync(live[random.Next(live.Count)], infoHash));
        // No peer id was handed out twice, every acknowledged record is there, and the next id is new.
        var ids = peers.Select(p => p.PeerId).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var peer in peers) Assert.Equal(peer, await tracker.PeerAsync(live[random.Next(live.Count)], peer.PeerId));
        var next = await tracker.RegisterAsync(live[0], 7999);
        Assert.DoesNotContain(next.PeerId, ids);
        Say($"checked: {published.Count} publishes in the catalog with their .torrent, {ids.Count} distinct peer ids with their records, next id {next.PeerId} new");

        // Replicas converged: each durable key is held, equally, by exactly its Replicas holders.
        var checkedKeys = 0;
        await Eventually.TrueAsync(async () => (checkedKeys = await ReplicasConvergedAsync(ring, live)) > 0, TimeSpan.FromSeconds(60),
            "the replicas of every durable key did not converge on exactly their holders");
        Say($"replicas converged: {checkedKeys} durable keys, each on exactly its {Replicas} holders with the same state");
        Say($"chaos: {kills} kills, {restarts} restarts from data, {joins} joins");
        Assert.True(kills > 0 && restarts > 0, "the chaos did nothing");
    }

    /// <summary>The number of durable keys checked when each is on exactly its holders with equal state; 0 when not yet.</summary>
    private async Task<int> ReplicasConvergedAsync(ChordRing ring, IReadOnlyList<ServiceProcess> live)
    {
        var byId = live.Select(n => (Id: Id160.Hash(n.Url), Node: n)).OrderBy(n => n.Id).ToList();
        var held = new Dictionary<string, List<ServiceProcess>>(StringComparer.Ordinal);
        foreach (var node in live)
            foreach (var key in await ring.KeysAsync(node))
                if (IsDurable(key)) (held.TryGetValue(key, out var list) ? list : held[key] = []).Add(node);

        var wrong = 0;
        await Parallel.ForEachAsync(held, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (pair, ct) =>
        {
            var id = Id160.Hash(pair.Key);
            var first = byId.FindIndex(n => n.Id >= id);
            if (first < 0) first = 0;
            var holders = Enumerable.Range(0, Replicas).Select(k => byId[(first + k) % byId.Count].Node).ToList();
            if (!holders.Select(h => h.Url).Order().SequenceEqual(pair.Value.Select(h => h.Url).Order()))
            {
                Interlocked.Increment(ref wrong);
                return;
            }
            if (pair.Key.StartsWith("counter/", StringComparison.Ordinal)) return;
            var states = new List<string>();
            foreach (var holder in holders) states.Add(await LocalStateAsync(ring, holder, pair.Key));
            if (states.Distinct().Count() != 1) Interlocked.Increment(ref wrong);
        });
        if (wrong > 0) output.WriteLine($"replicas: {wrong} of {held.Count} durable keys not yet on exactly their holders with equal state");
        return wrong == 0 ? held.Count : 0;
    }

    private static bool IsDurable(string key) =>
        !key.StartsWith("swarm/", StringComparison.Ordinal) && !key.StartsWith("completed/", StringComparison.Ordinal);

    /// <summary>A key's state in one node's own store (/dht/apply serves it from there, without routing).</summary>
    private static async Task<string> LocalStateAsync(ChordRing ring, ServiceProcess node, string key)
    {
        var register = key.StartsWith("torrent/", StringComparison.Ordinal) || key.StartsWith("peer/", StringComparison.Ordinal);
        var operation = new DhtOperation(key, register ? DhtOperationKind.Get : DhtOperationKind.GetSet);
        using var response = await ring.Http.PostAsJsonAsync($"{node.Url}/dht/apply", operation, ChordRing.Json);
        response.EnsureSuccessStatusCode();
        var result = (await response.Content.ReadFromJsonAsync<DhtResult>(ChordRing.Json))!;
        return register
            ? Convert.ToBase64String(result.Value ?? [])
            : string.Join('|', (result.Members ?? []).Select(m => $"{m.Member}={m.Value}").Order(StringComparer.Ordinal));
    }
}
