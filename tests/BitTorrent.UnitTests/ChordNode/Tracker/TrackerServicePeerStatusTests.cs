using BitTorrent.ChordNode.Tracker;
using BitTorrent.Shared.Contracts.Tracker;
using BitTorrent.UnitTests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Tracker;

/// <summary>A peer's public status: kept with its token only, listed with the peer, forgotten after two refresh periods.</summary>
public sealed class TrackerServicePeerStatusTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly TrackerService _tracker;

    public TrackerServicePeerStatusTests() =>
        _tracker = new TrackerService(new InMemoryDht(_time), Options.Create(new TrackerOptions()), _time, NullLogger<TrackerService>.Instance);

    private static readonly PeerStatusReport Report = new(2, 3_000_000, 1_000_000, 5, "1.0.0", RefreshSeconds: 20);

    private Task<RegisteredPeer> Register() => _tracker.RegisterPeerAsync(new PeerRegistration("10.0.0.1", 7000, "http://10.0.0.1:5201"));

    [Fact]
    public async Task A_report_with_the_token_is_listed_with_the_peer_until_two_refresh_periods_pass()
    {
        var peer = await Register();
        var other = await Register();

        var (access, status) = await _tracker.ReportStatusAsync(peer.PeerId, Report, peer.Token);

        Assert.Equal(PeerAccess.Granted, access);
        Assert.Equal(PeerStatus.From(Report, _time.GetUtcNow()), status);
        var listed = await _tracker.ListPeersAsync();
        Assert.Equal(status, listed.Single(p => p.PeerId == peer.PeerId).Status);
        Assert.Null(listed.Single(p => p.PeerId == other.PeerId).Status);
        Assert.Equal(status, (await _tracker.GetPeerAsync(peer.PeerId))!.Status);

        _time.Advance(TimeSpan.FromSeconds(39));
        Assert.NotNull((await _tracker.GetPeerAsync(peer.PeerId))!.Status);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null((await _tracker.GetPeerAsync(peer.PeerId))!.Status);
        Assert.All(await _tracker.ListPeersAsync(), p => Assert.Null(p.Status));
    }

    [Fact]
    public async Task No_token_another_peers_token_or_an_unknown_id_change_nothing()
    {
        var victim = await Register();
        var attacker = await Register();
        await _tracker.ReportStatusAsync(victim.PeerId, Report, victim.Token);
        var forged = Report with { ActiveDownloads = 999, Version = "evil" };

        Assert.Equal(PeerAccess.NoToken, (await _tracker.ReportStatusAsync(victim.PeerId, forged, null)).Access);
        Assert.Equal(PeerAccess.WrongToken, (await _tracker.ReportStatusAsync(victim.PeerId, forged, attacker.Token)).Access);
        Assert.Equal(PeerAccess.WrongToken, (await _tracker.ReportStatusAsync(victim.PeerId, forged, victim.PeerId + ".not-the-secret")).Access);
        Assert.Equal(PeerAccess.Unknown, (await _tracker.ReportStatusAsync(999, forged, "999.whatever")).Access);

        Assert.Equal(PeerStatus.From(Report, _time.GetUtcNow()), (await _tracker.GetPeerAsync(victim.PeerId))!.Status);
        Assert.Null((await _tracker.GetPeerAsync(attacker.PeerId))!.Status);
    }

    [Theory]
    [InlineData(-1, 0, 0, 0, "1.0", 20, "activeDownloads")]
    [InlineData(0, -5, 0, 0, "1.0", 20, "downloadBytesPerSecond")]
    [InlineData(0, 0, (1L << 40) + 1, 0, "1.0", 20, "uploadBytesPerSecond")]
    [InlineData(0, 0, 0, -1, "1.0", 20, "filesShared")]
    [InlineData(0, 0, 0, 0, "<script>", 20, "version")]
    [InlineData(0, 0, 0, 0, "", 20, "version")]
    [InlineData(0, 0, 0, 0, "1.0", 0, "refreshSeconds")]
    [InlineData(0, 0, 0, 0, "1.0", 3601, "refreshSeconds")]
    public void Every_field_out_of_range_is_refused(int active, long down, long up, int files, string version, int refresh, string field)
    {
        var errors = new PeerStatusReport(active, down, up, files, version, refresh).Validate();
        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void A_long_version_is_refused_and_a_missing_one_is_not()
    {
        Assert.Contains("version", new PeerStatusReport(0, 0, 0, 0, new string('1', 33), 20).Validate().Keys);
        Assert.Empty(new PeerStatusReport(0, 0, 0, 0, null, 20).Validate());
        Assert.Empty(Report.Validate());
    }
}
