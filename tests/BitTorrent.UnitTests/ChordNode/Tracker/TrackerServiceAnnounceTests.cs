using System.Net;
using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Identifiers;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

public sealed class TrackerServiceAnnounceTests
{
    private static readonly Id160 InfoHash = Id160.Hash("some file");
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryDht _dht;
    private readonly TrackerService _tracker;

    public TrackerServiceAnnounceTests()
    {
        _dht = new InMemoryDht(_time);
        _tracker = new TrackerService(_dht, Options.Create(new TrackerOptions()), _time, NullLogger<TrackerService>.Instance);
    }

    private static AnnounceRequest Request(int peer, long left = 100, AnnounceEvent announceEvent = AnnounceEvent.None, int numWant = 50, IPAddress? ip = null) =>
        new(InfoHash, Id160.Hash($"peer {peer}"), 6000 + peer, 0, 0, left, announceEvent, numWant, Compact: true, NoPeerId: false, ip);

    private Task<AnnounceResult> Announce(int peer, long left = 100, AnnounceEvent announceEvent = AnnounceEvent.None, int numWant = 50, string host = "10.0.0.1",
        IPAddress? ip = null, bool trusted = false) =>
        _tracker.AnnounceAsync(Request(peer, left, announceEvent, numWant, ip), IPAddress.Parse(host), honourIp: trusted);

    [Fact]
    public async Task First_announce_sees_nobody_else_and_counts_itself()
    {
        var result = await Announce(1);

        Assert.Empty(result.Peers);
        Assert.Equal(0, result.Complete);
        Assert.Equal(1, result.Incomplete);
        Assert.Equal(30, result.Interval);
    }

    [Fact]
    public async Task Second_peer_gets_the_first_but_never_itself()
    {
        await Announce(1, host: "10.0.0.1");
        var result = await Announce(2, host: "10.0.0.2");

        var peer = Assert.Single(result.Peers);
        Assert.Equal("10.0.0.1", peer.Host);
        Assert.Equal(6001, peer.Port);
        Assert.Equal(Id160.Hash("peer 1").ToString(), peer.PeerId);
        Assert.Equal(2, result.Incomplete);
    }

    [Fact]
    public async Task An_announce_costs_one_store_round_trip()
    {
        await Announce(1);
        var before = _dht.Calls;
        await Announce(2);
        await Announce(1, announceEvent: AnnounceEvent.Stopped);
        Assert.Equal(before + 2, _dht.Calls);
    }

    [Fact]
    public async Task Stopped_removes_the_peer_from_the_swarm()
    {
        await Announce(1);
        await Announce(2);
        var stopped = await Announce(1, announceEvent: AnnounceEvent.Stopped);
        var other = await Announce(2);

        Assert.Empty(stopped.Peers);
        Assert.Empty(other.Peers);
        Assert.Equal(1, other.Incomplete);
        Assert.Single(_dht.Set($"swarm/{InfoHash}"));
    }

    [Fact]
    public async Task Completed_makes_a_seeder_and_counts_a_download()
    {
        // Downloads are counted for published torrents only (an announce writes no durable key for others).
        await _dht.PutAsync($"torrent/{InfoHash}", [1]);
        await Announce(1, left: 0);
        await Announce(2, left: 100);
        var result = await Announce(2, left: 0, announceEvent: AnnounceEvent.Completed);

        Assert.Equal(2, result.Complete);
        Assert.Equal(0, result.Incomplete);
        Assert.True(Assert.Single(result.Peers).Seeder);
        var scrape = Assert.Single(await _tracker.ScrapeAsync([InfoHash]));
        Assert.Equal(new ScrapeEntry(InfoHash, 2, 0, 1), scrape);
    }

    [Fact]
    public async Task Left_zero_without_an_event_is_a_seeder_and_left_unknown_a_leecher()
    {
        await Announce(1, left: 0);
        await Announce(2, left: -1);
        var result = await Announce(3);
        Assert.Equal(1, result.Complete);
        Assert.Equal(2, result.Incomplete);
    }

    [Fact]
    public async Task Peers_that_stop_announcing_expire()
    {
        await Announce(1);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Single((await Announce(2)).Peers); // 60 s < TTL of 75 s
        _time.Advance(TimeSpan.FromSeconds(20));
        var result = await Announce(2);

        Assert.Empty(result.Peers);
        Assert.Equal(1, result.Incomplete);
    }

    [Fact]
    public async Task Re_announcing_keeps_a_peer_alive_and_updates_it_in_place()
    {
        await Announce(1, host: "10.0.0.1");
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            await Announce(1, host: "10.0.0.9");
        }
        var peer = Assert.Single((await Announce(2)).Peers);
        Assert.Equal("10.0.0.9", peer.Host);
    }

    [Fact]
    public async Task Numwant_limits_the_peers_returned_but_not_the_counts()
    {
        for (var i = 0; i < 30; i++) await Announce(i, left: i % 3 == 0 ? 0 : 10);

        var ten = await Announce(100, numWant: 10);
        var none = await Announce(100, numWant: 0);
        var all = await Announce(100, numWant: 200);

        Assert.Equal(10, ten.Peers.Count);
        Assert.Equal(10, ten.Peers.Select(p => p.PeerId).Distinct().Count());
        Assert.Empty(none.Peers);
        Assert.Equal(30, all.Peers.Count);
        Assert.DoesNotContain(all.Peers, p => p.PeerId == Id160.Hash("peer 100").ToString());
        Assert.Equal(10, all.Complete);
        Assert.Equal(21, all.Incomplete);
    }

    [Fact]
    public async Task Ip_parameter_from_a_trusted_proxy_overrides_the_connection_address_and_mapped_addresses_are_ipv4()
    {
        await Announce(1, host: "::ffff:10.0.0.5");
        await Announce(2, ip: IPAddress.Parse("172.16.0.7"), trusted: true);
        var peers = (await Announce(3)).Peers.OrderBy(p => p.Port).ToList();

        Assert.Equal("10.0.0.5", peers[0].Host);
        Assert.Equal("172.16.0.7", peers[1].Host);
    }

    [Fact]
    public async Task Scrape_of_an_unknown_info_hash_reports_zeros()
    {
        var unknown = Id160.Hash("nothing");
        Assert.Equal(new ScrapeEntry(unknown, 0, 0, 0), Assert.Single(await _tracker.ScrapeAsync([unknown])));
    }
}
