using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

public sealed class TrackerServicePeersTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly TrackerService _tracker;

    public TrackerServicePeersTests() =>
        _tracker = new TrackerService(new InMemoryDht(_time), Options.Create(new TrackerOptions()), _time, NullLogger<TrackerService>.Instance);

    [Fact]
    public async Task Registering_assigns_consecutive_unique_ids_even_concurrently()
    {
        var peers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            _tracker.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7000 + i, $"http://127.0.0.1:{8000 + i}"))));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), peers.Select(p => p.PeerId).Order());
        Assert.Equal(20, (await _tracker.ListPeersAsync()).Count);
    }

    [Fact]
    public async Task A_registered_peer_can_be_read_and_its_addresses_updated()
    {
        var registered = await _tracker.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7000, "http://127.0.0.1:8000"));
        _time.Advance(TimeSpan.FromMinutes(1));
        var updated = await _tracker.UpdatePeerAsync(registered.PeerId, new PeerRegistration("127.0.0.1", 7123, null));

        var read = await _tracker.GetPeerAsync(registered.PeerId);
        Assert.Equal(updated, read);
        Assert.Equal((7123, (string?)null), (read!.TransferPort, read.ApiUrl));
        Assert.Equal(_time.GetUtcNow(), read.LastSeen);
        Assert.Equal(read, Assert.Single(await _tracker.ListPeersAsync()));
    }

    [Fact]
    public async Task An_id_registered_to_one_api_url_cannot_be_taken_over_by_another()
    {
        var first = await _tracker.RegisterPeerAsync(new PeerRegistration("127.0.0.1", 7000, "http://127.0.0.1:5201"));
        var taken = await Assert.ThrowsAsync<PeerIdTakenException>(() =>
            _tracker.UpdatePeerAsync(first.PeerId, new PeerRegistration("127.0.0.1", 7001, "http://127.0.0.1:5202")));
        Assert.Contains("5201", taken.Message, StringComparison.Ordinal);
        Assert.Equal(first.ApiUrl, (await _tracker.GetPeerAsync(first.PeerId))!.ApiUrl);
        // The owner itself still updates its addresses.
        Assert.NotNull(await _tracker.UpdatePeerAsync(first.PeerId, new PeerRegistration("127.0.0.1", 7009, "http://127.0.0.1:5201")));
    }

    [Fact]
    public async Task Updating_an_unknown_peer_is_refused()
    {
        Assert.Null(await _tracker.UpdatePeerAsync(99, new PeerRegistration("127.0.0.1", 7000, null)));
        Assert.Null(await _tracker.GetPeerAsync(99));
        Assert.Empty(await _tracker.ListPeersAsync());
    }
}
