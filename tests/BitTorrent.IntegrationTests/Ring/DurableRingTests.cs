using System.Collections.Concurrent;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Contracts.Tracker;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Ring;

/// <summary>A ring whose nodes keep their stores in data directories (Chord:DataPath), stopped and started as processes.</summary>
public sealed class DurableRingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_ring_stopped_and_started_again_keeps_the_catalog_the_torrents_the_peer_records_and_the_next_peer_id()
    {
        using var data = new TempFolder();
        await using var ring = new ChordRing(output, dataRoot: data.Path);
        await ring.StartAsync(4);
        await ring.WaitConvergedAsync();
        var tracker = new TrackerClient(ring.Http);

        var torrents = new Dictionary<string, byte[]>();
        for (var i = 0; i < 6; i++)
        {
            var bytes = TrackerClient.Torrent($"file-{i}.bin", 10_000 * (i + 1));
            var published = await tracker.PublishAsync(ring.Nodes[i % 4], bytes);
            torrents[published.InfoHash] = bytes;
        }
        var registered = new List<PeerInfo>();
        for (var i = 0; i < 5; i++) registered.Add(await tracker.RegisterAsync(ring.Nodes[i % 4], 7000 + i));
        var catalogBefore = await tracker.CatalogAsync(ring.Nodes[0]);
        var peersBefore = await tracker.PeersAsync(ring.Nodes[1]);
        Assert.Equal(6, catalogBefore.Count);
        Assert.Equal([1, 2, 3, 4, 5], registered.Select(p => p.PeerId));

        // Every node stopped, then all started again at once on their ports (as make run does).
        var ports = ring.Live.Select(ChordRing.PortOf).ToList();
        foreach (var node in ring.Live.ToList()) await ChordRing.StopAsync(node);
        Assert.Empty(ring.Live);
        var seeds = ports.Select(p => $"http://127.0.0.1:{p}").ToList();
        var restarted = ports.Select(p => ring.StartNode(seeds: seeds, port: p)).ToList();
        foreach (var node in restarted) await ring.WaitReadyAsync(node);
        await ring.WaitConvergedAsync();

        var catalogAfter = await tracker.CatalogAsync(restarted[2]);
        Assert.Equal(catalogBefore.Select(f => (f.InfoHash, f.Name, f.Length)), catalogAfter.Select(f => (f.InfoHash, f.Name, f.Length)));
        foreach (var (infoHash, bytes) in torrents)
            Assert.Equal(bytes, await tracker.TorrentAsync(restarted[3], infoHash));
        Assert.Equal(peersBefore, await tracker.PeersAsync(restarted[0]));
        foreach (var peer in registered) Assert.Equal(peer, await tracker.PeerAsync(restarted[1], peer.PeerId));
        var next = await tracker.RegisterAsync(restarted[0], 7100);
        Assert.Equal(6, next.PeerId);
    }

    [Fact]
    public async Task Nodes_killed_with_sigkill_during_writes_restart_with_every_write_they_acknowledged()
    {
        using var data = new TempFolder();
        await using var ring = new ChordRing(output, dataRoot: data.Path);
        await ring.StartAsync(3);
        await ring.WaitConvergedAsync();
        var tracker = new TrackerClient(ring.Http);
        var nodes = ring.Live.ToList();

        var published = new ConcurrentDictionary<string, byte[]>();
        var peers = new ConcurrentBag<PeerInfo>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var via = nodes[(w + i) % nodes.Count];
                try
                {
                    var bytes = TrackerClient.Torrent($"w{w}-{i}.bin");
                    var result = await tracker.PublishAsync(via, bytes, stop.Token);
                    published[result.InfoHash] = bytes;
                    peers.Add(await tracker.RegisterAsync(via, 7000 + i % 900, stop.Token));
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    // Not acknowledged: the node died under it (or the test stopped writing). Nothing is claimed for it.
                }
            }
        })).ToList();

        await Eventually.TrueAsync(() => Task.FromResult(peers.Count >= 30), TimeSpan.FromSeconds(60), "writes were acknowledged");
        foreach (var node in nodes) node.Kill(); // SIGKILL, mid-write
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        output.WriteLine($"acknowledged before the kill: {published.Count} publishes, {peers.Count} peer ids");

        var seeds = nodes.Select(n => n.Url).ToList();
        var restarted = nodes.Select(n => ring.StartNode(seeds: seeds, port: ChordRing.PortOf(n))).ToList();
        foreach (var node in restarted) await ring.WaitReadyAsync(node);
        await ring.WaitConvergedAsync();

        var catalog = (await tracker.CatalogAsync(restarted[0])).Select(f => f.InfoHash).ToHashSet();
        foreach (var (infoHash, bytes) in published)
        {
            Assert.Contains(infoHash, catalog);
            Assert.Equal(bytes, await tracker.TorrentAsync(restarted[1], infoHash));
        }
        foreach (var peer in peers) Assert.Equal(peer, await tracker.PeerAsync(restarted[2], peer.PeerId));
        Assert.Equal(peers.Count, peers.Select(p => p.PeerId).Distinct().Count());
        var next = await tracker.RegisterAsync(restarted[0], 7999);
        Assert.True(next.PeerId > peers.Max(p => p.PeerId), $"id {next.PeerId} was handed out after {peers.Max(p => p.PeerId)}");
    }

    [Fact]
    public async Task A_node_whose_data_file_is_corrupt_says_so_in_one_sentence_and_exits_non_zero()
    {
        using var data = new TempFolder();
        await using var ring = new ChordRing(output, dataRoot: data.Path);
        var port = ServiceProcess.FreePort();
        Directory.CreateDirectory(ring.DataPath(port));
        await File.WriteAllBytesAsync(Path.Combine(ring.DataPath(port), "ring.db"), [.. Enumerable.Repeat((byte)'x', 10_000)]);

        var node = ring.StartNode(port: port);

        Assert.True(await node.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the node kept running on a corrupt store");
        Assert.NotEqual(0, node.ExitCode);
        var lines = node.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sentence = Assert.Single(lines);
        Assert.Contains(ring.DataPath(port), sentence);
        Assert.Contains("corrupt", sentence);
        Assert.DoesNotContain("Exception", node.Log);
    }
}
