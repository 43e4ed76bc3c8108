using System.Net;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The wire listener's bounds, so that one remote host cannot take what others need:
/// <list type="bullet">
/// <item>At most <see cref="TransferEngineOptions.MaxConnectionsPerAddress"/> connections from one
/// address still in their handshake, and as many open ones per torrent (one host may fetch several
/// torrents from us); the engine-wide cap is <see cref="TransferEngineOptions.MaxConnections"/>.</item>
/// <item>A connection must complete its handshake within <see cref="TransferEngineOptions.ConnectTimeout"/>
/// (a silent or trickled handshake is dropped).</item>
/// <item>An open connection is closed when it sends no message other than a keep-alive for
/// <see cref="TransferEngineOptions.IdleTimeout"/>: keep-alives alone never keep a connection, whether
/// we want data from it or it holds a place at our listener.</item>
/// <item>A peer holding one of our upload slots (unchoked) that asks for nothing for
/// <see cref="TransferEngineOptions.IdleUploadTimeout"/> while another interested peer waits for a
/// slot is closed, and the slot goes to the one waiting.</item>
/// <item>A peer that sent a corrupt piece is banned by address (not by the peer id it claims) for
/// <see cref="TransferEngineOptions.BanDuration"/>: its connections are refused and it is not dialled.
/// Loopback addresses are not banned: on one host (development, tests) every peer shares them; there a
/// download bans the endpoint it dialled and the peer id instead.</item>
/// </list>
/// </summary>
internal sealed class ConnectionLimits(TransferEngineOptions options)
{
    private readonly Dictionary<IPAddress, long> _bannedUntil = [];

    /// <summary>Whether a new incoming connection from <paramref name="address"/> may wait for its handshake; the reason when not.</summary>
    public string? RefuseAccept(IPAddress address, IReadOnlyList<PeerConnection> all, long now)
    {
        if (all.Count >= options.MaxConnections) return "the connection table is full";
        if (IsBanned(address, now)) return "banned address";
        var handshaking = 0;
        foreach (var c in all)
            if (c is { Outgoing: false, Phase: ConnectionPhase.Handshaking } && c.RemoteEndPoint.Address.Equals(address)) handshaking++;
        return handshaking >= options.MaxConnectionsPerAddress ? $"{handshaking} handshakes from {address} already" : null;
    }

    /// <summary>Whether an incoming connection that named <paramref name="swarm"/> may open; the reason when not.</summary>
    public string? RefuseJoin(PeerConnection c, Swarm swarm)
    {
        var address = c.RemoteEndPoint.Address;
        var open = 0;
        foreach (var other in swarm.Connections)
            if (!ReferenceEquals(other, c) && other.IsOpen && other.RemoteEndPoint.Address.Equals(address)) open++;
        return open >= options.MaxConnectionsPerAddress ? $"{open} connections from {address} for this torrent already" : null;
    }

    /// <summary>Why an open connection should be closed now (null to keep it): see the rules above.</summary>
    public string? IdleReason(PeerConnection c, long now, bool othersWaitForSlot)
    {
        if (!c.IsOpen) return null;
        if (now - c.LastMessage > options.IdleTimeout.TotalMilliseconds)
            return $"sent nothing but keep-alives for {options.IdleTimeout}";
        if (othersWaitForSlot && !c.AmChoking && c.ServeQueue.Count == 0 && now - c.LastRequest > options.IdleUploadTimeout.TotalMilliseconds)
            return $"held an upload slot without a request for {options.IdleUploadTimeout} while others waited";
        return null;
    }

    /// <summary>Bans an address for <see cref="TransferEngineOptions.BanDuration"/> (loopback excepted, see above); true if it is banned.</summary>
    public bool Ban(IPAddress address, long now)
    {
        if (IPAddress.IsLoopback(address)) return false;
        _bannedUntil[Normalize(address)] = now + (long)options.BanDuration.TotalMilliseconds;
        return true;
    }

    public bool IsBanned(IPAddress address, long now)
    {
        var key = Normalize(address);
        if (!_bannedUntil.TryGetValue(key, out var until)) return false;
        if (now < until) return true;
        _bannedUntil.Remove(key);
        return false;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
