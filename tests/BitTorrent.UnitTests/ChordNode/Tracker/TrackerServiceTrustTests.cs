using System.Net;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

/// <summary>The tracker believes no one blindly: announces from elsewhere, ip=, full swarms, tokens.</summary>
public sealed class TrackerServiceTrustTests
{
    private static readonly Id160 InfoHash = Id160.Hash("a file");
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryDht _dht;
    private readonly TrackerService _tracker;

    public TrackerServiceTrustTests()
    {
        _dht = new InMemoryDht(_time);
        _tracker = new TrackerService(_dht, Options.Create(new TrackerOptions { MaxPeersPerSwarm = 5 }), _time, NullLogger<TrackerService>.Instance);
    }

    private static AnnounceRequest Request(string peer, int port = 6881, AnnounceEvent announceEvent = AnnounceEvent.None, IPAddress? ip = null, Id160? infoHash = null) =>
        new(infoHash ?? InfoHash, Id160.Hash(peer), port, 0, 0, 100, announceEvent, 50, Compact: true, NoPeerId: false, ip);

    private Task<AnnounceResult> Announce(string peer, string from, int port = 6881, AnnounceEvent announceEvent = AnnounceEvent.None, IPAddress? ip = null, bool trusted = false) =>
        _tracker.AnnounceAsync(Request(peer, port, announceEvent, ip), IPAddress.Parse(from), trusted);

    private IReadOnlyList<SwarmEntry> Swarm() =>
        [.. _dht.Set($"swarm/{InfoHash}").Select(m => SwarmEntry.FromJson(m.Value)!).OrderBy(e => e.Host, StringComparer.Ordinal)];

    [Fact]
    public async Task Stopped_for_a_victims_peer_id_from_another_address_removes_nothing()
    {
        await Announce("victim", "10.0.0.1", port: 7001);
        var stopped = await Announce("victim", "10.0.0.66", announceEvent: AnnounceEvent.Stopped);

        Assert.Null(stopped.Failure);
        var entry = Assert.Single(Swarm());
        Assert.Equal(("10.0.0.1", 7001), (entry.Host, entry.Port));
        // The victim is still handed out to others.
        Assert.Equal("10.0.0.1", Assert.Single((await Announce("downloader", "10.0.0.2")).Peers).Host);
    }

    [Fact]
    public async Task An_announce_under_a_victims_peer_id_from_another_address_never_moves_its_entry()
    {
        await Announce("victim", "10.0.0.1", port: 7001);
        await Announce("victim", "10.0.0.66", port: 22);

        Assert.Equal([("10.0.0.1", 7001), ("10.0.0.66", 22)], Swarm().Select(e => (e.Host, e.Port)));
        // The victim's own re-announce (new port) still updates its entry.
        await Announce("victim", "10.0.0.1", port: 7002);
        Assert.Equal([("10.0.0.1", 7002), ("10.0.0.66", 22)], Swarm().Select(e => (e.Host, e.Port)));
    }

    [Fact]
    public async Task Ip_from_an_untrusted_client_is_ignored_and_from_a_trusted_proxy_believed()
    {
        await Announce("a", "10.0.0.5", ip: IPAddress.Parse("172.16.0.7"));
        await Announce("b", "10.0.0.9", ip: IPAddress.Parse("172.16.0.8"), trusted: true);

        Assert.Equal(["10.0.0.5", "172.16.0.8"], Swarm().Select(e => e.Host));
    }

    [Fact]
    public async Task A_full_swarm_refuses_new_peers_with_a_reason_but_keeps_serving_its_members()
    {
        for (var i = 0; i < 5; i++) Assert.Null((await Announce($"p{i}", $"10.0.1.{i}")).Failure);

        var refused = await Announce("newcomer", "10.0.2.1");
        var member = await Announce("p0", "10.0.1.0");

        Assert.Contains("full", refused.Failure, StringComparison.Ordinal);
        Assert.Null(member.Failure);
        Assert.Equal(4, member.Peers.Count);
        Assert.Equal(5, Swarm().Count);
    }

    [Fact]
    public async Task Announces_for_unknown_torrents_write_nothing_that_outlives_the_peer_ttl()
    {
        for (var i = 0; i < 50; i++)
            await _tracker.AnnounceAsync(Request($"p{i}", announceEvent: AnnounceEvent.Completed, infoHash: Id160.Hash($"random {i}")), IPAddress.Parse("10.0.0.1"));

        Assert.Empty(await _tracker.ScrapeAsync([.. Enumerable.Range(0, 50).Select(i => Id160.Hash($"random {i}"))])
            .ContinueWith(t => t.Result.Where(s => s.Downloaded > 0)));
        _time.Advance(TimeSpan.FromSeconds(76));
        for (var i = 0; i < 50; i++)
        {
            Assert.Empty(_dht.Set($"swarm/{Id160.Hash($"random {i}")}"));
            Assert.Empty(_dht.Set($"completed/{Id160.Hash($"random {i}")}"));
        }
    }

    [Fact]
    public async Task Swarm_join_and_leave_by_rest_need_the_peers_own_token()
    {
        var published = (await _tracker.PublishAsync(Torrents.SingleFile("f.bin", 10)));
        var hash = Id160.Parse(published.InfoHash);
        var owner = await _tracker.RegisterPeerAsync(new PeerRegistration("10.0.0.1", 7001, "http://10.0.0.1:5201"));
        var other = await _tracker.RegisterPeerAsync(new PeerRegistration("10.0.0.2", 7002, "http://10.0.0.2:5201"));
        var join = new SwarmJoinRequest("10.0.0.1", 7001, Seeder: true);

        Assert.Equal(PeerAccess.NoToken, (await _tracker.JoinSwarmAsync(hash, owner.PeerId, join, null)).Access);
        Assert.Equal(PeerAccess.WrongToken, (await _tracker.JoinSwarmAsync(hash, owner.PeerId, join, other.Token)).Access);
        Assert.Empty(_dht.Set($"swarm/{hash}"));
        Assert.Equal(PeerAccess.Granted, (await _tracker.JoinSwarmAsync(hash, owner.PeerId, join, owner.Token)).Access);

        Assert.Equal(PeerAccess.NoToken, await _tracker.LeaveSwarmAsync(hash, owner.PeerId, null));
        Assert.Equal(PeerAccess.WrongToken, await _tracker.LeaveSwarmAsync(hash, owner.PeerId, other.Token));
        Assert.Single(_dht.Set($"swarm/{hash}"));
        Assert.Equal(PeerAccess.Granted, await _tracker.LeaveSwarmAsync(hash, owner.PeerId, owner.Token));
        Assert.Empty(_dht.Set($"swarm/{hash}"));
    }

    [Fact]
    public async Task Only_the_peer_that_published_a_file_with_its_token_may_remove_it_from_the_catalog()
    {
        var publisher = await _tracker.RegisterPeerAsync(new PeerRegistration("10.0.0.1", 7001, "http://10.0.0.1:5201"));
        var other = await _tracker.RegisterPeerAsync(new PeerRegistration("10.0.0.2", 7002, "http://10.0.0.2:5201"));
        var torrent = Torrents.SingleFile("owned.bin", 10);
        var owned = Id160.Parse((await _tracker.PublishAsync(torrent, publisher.PeerId)).InfoHash);
        // Published again by someone else: the first publisher stays the owner.
        Assert.False((await _tracker.PublishAsync(torrent, other.PeerId)).Created);
        var anonymous = Id160.Parse((await _tracker.PublishAsync(Torrents.SingleFile("anonymous.bin", 10))).InfoHash);

        Assert.Equal(PeerAccess.NoToken, await _tracker.RemoveFileAsync(owned, null));
        Assert.Equal(PeerAccess.WrongToken, await _tracker.RemoveFileAsync(owned, other.Token));
        Assert.Equal(PeerAccess.WrongToken, await _tracker.RemoveFileAsync(anonymous, publisher.Token));
        Assert.Equal(PeerAccess.Unknown, await _tracker.RemoveFileAsync(Id160.Hash("never published"), publisher.Token));
        Assert.Equal(2, (await _tracker.ListFilesAsync(null)).Count);

        Assert.Equal(PeerAccess.Granted, await _tracker.RemoveFileAsync(owned, publisher.Token));
        Assert.Equal("anonymous.bin", Assert.Single(await _tracker.ListFilesAsync(null)).Name);
        Assert.NotNull(await _tracker.GetTorrentAsync(owned)); // the .torrent itself stays readable
        var details = await _tracker.GetFileAsync(owned); // and so do its details, without a catalog row behind them
        Assert.Equal(("owned.bin", 1, (DateTimeOffset?)null), (details!.Name, details.Copies, details.Published));
    }

    [Fact]
    public async Task A_record_without_a_token_hash_belongs_to_nobody()
    {
        // A peer record as written before tokens existed.
        await _dht.PutAsync("peer/5", """{"peerId":5,"transferHost":"10.0.0.5","transferPort":7005,"apiUrl":"http://10.0.0.5:5201","lastSeen":"2026-01-01T00:00:00+00:00"}"""u8.ToArray());

        var (access, _) = await _tracker.UpdatePeerAsync(5, new PeerRegistration("10.0.0.6", 7006, "http://10.0.0.6:5201"), PeerToken.Create(5));

        Assert.Equal(PeerAccess.WrongToken, access);
        Assert.Equal("http://10.0.0.5:5201", (await _tracker.GetPeerAsync(5))!.ApiUrl);
    }
}
