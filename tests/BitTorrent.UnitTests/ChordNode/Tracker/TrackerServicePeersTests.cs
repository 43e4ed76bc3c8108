using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

public sealed class TrackerServicePeersTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryDht _dht;
    private readonly TrackerService _tracker;

    public TrackerServicePeersTests()
    {
        _dht = new InMemoryDht(_time);
        _tracker = new TrackerService(_dht, Options.Create(new TrackerOptions()), _time, NullLogger<TrackerService>.Instance);
    }

    [Fact]
    public async Task Registering_assigns_consecutive_unique_ids_even_concurrently()
    {
        var peers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            _tracker.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7000 + i, $"http://127.0.0.1:{8000 + i}"))));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), peers.Select(p => p.PeerId).Order());
        Assert.Equal(20, (await _tracker.ListPeersAsync()).Count);
    }

    [Fact]
    public async Task A_registered_peer_can_be_read_and_its_addresses_updated_with_its_token()
    {
        var registered = await _tracker.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7000, "http://127.0.0.1:8000"));
        _time.Advance(TimeSpan.FromMinutes(1));
        var (access, updated) = await _tracker.UpdatePeerAsync(registered.PeerId, new PeerRegistration("127.0.0.1", 7123, "http://127.0.0.1:8001"), registered.Token);

        var read = await _tracker.GetPeerAsync(registered.PeerId);
        Assert.Equal(PeerAccess.Granted, access);
        Assert.Equal(updated, read);
        Assert.Equal((7123, "http://127.0.0.1:8001"), (read!.TransferPort, read.ApiUrl));
        Assert.Equal(_time.GetUtcNow(), read.LastSeen);
        Assert.Equal(read, Assert.Single(await _tracker.ListPeersAsync()));
    }

    [Fact]
    public async Task An_id_cannot_be_taken_over_without_its_token()
    {
        var first = await _tracker.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7000, "http://127.0.0.1:5201"));
        var second = await _tracker.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7001, "http://127.0.0.1:5202"));
        var hijack = new PeerRegistration("127.0.0.1", 7666, "http://127.0.0.1:6666");

        Assert.Equal(PeerAccess.NoToken, (await _tracker.UpdatePeerAsync(first.PeerId, hijack, null)).Access);
        Assert.Equal(PeerAccess.WrongToken, (await _tracker.UpdatePeerAsync(first.PeerId, hijack, second.Token)).Access);
        Assert.Equal(PeerAccess.WrongToken, (await _tracker.UpdatePeerAsync(first.PeerId, hijack, first.Token + "x")).Access);
        Assert.Equal(PeerAccess.WrongToken, (await _tracker.UpdatePeerAsync(first.PeerId, hijack, $"{first.PeerId}.{new string('A', 43)}")).Access);
        Assert.Equal(first.ToPeerInfo(), await _tracker.GetPeerAsync(first.PeerId));
        // The owner itself still updates its addresses.
        Assert.Equal(PeerAccess.Granted, (await _tracker.UpdatePeerAsync(first.PeerId, new PeerRegistration("127.0.0.1", 7009, "http://127.0.0.1:5201"), first.Token)).Access);
    }

    [Fact]
    public async Task The_tracker_keeps_only_the_tokens_hash()
    {
        var registered = await _tracker.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7000, "http://127.0.0.1:8000"));

        var stored = System.Text.Encoding.UTF8.GetString((await _dht.GetAsync($"peer/{registered.PeerId}"))!);
        Assert.DoesNotContain(registered.Token, stored, StringComparison.Ordinal);
        Assert.Contains(PeerToken.Hash(registered.Token), stored, StringComparison.Ordinal);
        Assert.DoesNotContain(PeerToken.Hash(registered.Token), string.Join("", _dht.Set("peer-index").Select(m => m.Value)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Updating_an_unknown_peer_is_refused()
    {
        var (access, peer) = await _tracker.UpdatePeerAsync(99, new PeerRegistration("127.0.0.1", 7000, "http://127.0.0.1:8000"), PeerToken.Create(99));
        Assert.Equal((PeerAccess.Unknown, null), (access, peer));
        Assert.Null(await _tracker.GetPeerAsync(99));
        Assert.Empty(await _tracker.ListPeersAsync());
    }
}
