using System.Net;
using System.Net.Sockets;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Torrents;

namespace BitTorrent.UnitTests.Peer.Transfer;

public sealed class ConnectionLimitsTests : IDisposable
{
    private static readonly IPAddress Remote = IPAddress.Parse("10.1.2.3");
    private readonly List<PeerConnection> _connections = [];
    private readonly TransferEngineOptions _options = new()
    {
        MaxConnectionsPerAddress = 2,
        MaxConnections = 10,
        IdleTimeout = TimeSpan.FromSeconds(60),
        IdleUploadTimeout = TimeSpan.FromSeconds(10),
        BanDuration = TimeSpan.FromMinutes(5),
    };

    private PeerConnection Incoming(IPAddress address, ConnectionPhase phase, long now = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var c = new PeerConnection(socket, new IPEndPoint(address, 40000 + _connections.Count), outgoing: false, 64 * 1024, 64 * 1024, now) { Phase = phase };
        _connections.Add(c);
        return c;
    }

    [Fact]
    public void A_peer_that_sent_a_corrupt_piece_is_banned_by_address_for_the_ban_duration_whatever_peer_id_it_claims()
    {
        var limits = new ConnectionLimits(_options);

        Assert.True(limits.Ban(Remote, now: 1_000));

        Assert.True(limits.IsBanned(Remote, now: 2_000));
        Assert.True(limits.IsBanned(IPAddress.Parse("10.1.2.3").MapToIPv6(), now: 2_000));
        Assert.Equal("banned address", limits.RefuseAccept(Remote, [], now: 2_000));
        Assert.Null(limits.RefuseAccept(IPAddress.Parse("10.1.2.4"), [], now: 2_000));
        Assert.False(limits.IsBanned(Remote, now: 1_000 + (long)_options.BanDuration.TotalMilliseconds + 1));
    }

    [Fact]
    public void Loopback_addresses_are_not_banned_as_every_local_peer_shares_them()
    {
        var limits = new ConnectionLimits(_options);
        Assert.False(limits.Ban(IPAddress.Loopback, now: 0));
        Assert.False(limits.IsBanned(IPAddress.Loopback, now: 1));
    }

    [Fact]
    public void Handshakes_from_one_address_are_capped_and_other_addresses_are_not_affected()
    {
        var limits = new ConnectionLimits(_options);
        List<PeerConnection> all = [Incoming(Remote, ConnectionPhase.Handshaking), Incoming(Remote, ConnectionPhase.Handshaking)];

        Assert.NotNull(limits.RefuseAccept(Remote, all, now: 0));
        Assert.Null(limits.RefuseAccept(IPAddress.Parse("10.9.9.9"), all, now: 0));
    }

    [Fact]
    public void Open_connections_from_one_address_are_capped_per_torrent()
    {
        var limits = new ConnectionLimits(_options);
        using var folder = new TempFolder();
        var torrent = TorrentMetainfo.CreateFromFile(folder.WriteRandom("a.bin", 10), "http://127.0.0.1/announce");
        var swarm = new Swarm(torrent, "/nowhere", new Bitfield(1));
        swarm.Connections.Add(Incoming(Remote, ConnectionPhase.Open));
        var second = Incoming(Remote, ConnectionPhase.Handshaking);
        Assert.Null(limits.RefuseJoin(second, swarm));
        second.Phase = ConnectionPhase.Open;
        swarm.Connections.Add(second);

        Assert.NotNull(limits.RefuseJoin(Incoming(Remote, ConnectionPhase.Handshaking), swarm));
        Assert.Null(limits.RefuseJoin(Incoming(IPAddress.Parse("10.9.9.9"), ConnectionPhase.Handshaking), swarm));
    }

    [Fact]
    public void Keep_alives_do_not_keep_a_connection_and_an_unchoked_peer_that_asks_nothing_gives_its_slot_only_when_others_wait()
    {
        var limits = new ConnectionLimits(_options);
        var c = Incoming(Remote, ConnectionPhase.Open, now: 0);
        c.LastReceived = 59_000; // keep-alives arrived, no message

        Assert.Null(limits.IdleReason(c, now: 59_000, othersWaitForSlot: false));
        Assert.NotNull(limits.IdleReason(c, now: 60_001, othersWaitForSlot: false));

        c.LastMessage = 50_000;
        c.AmChoking = false;
        Assert.Null(limits.IdleReason(c, now: 20_000, othersWaitForSlot: false));
        Assert.NotNull(limits.IdleReason(c, now: 20_000, othersWaitForSlot: true));
        c.LastRequest = 15_000;
        Assert.Null(limits.IdleReason(c, now: 20_000, othersWaitForSlot: true));
    }

    public void Dispose()
    {
        foreach (var c in _connections) c.Release();
    }
}
